package dev.isthmus.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The gateway's packages as a one-way graph (docs/architecture.md draws it):
 * <pre>
 * root (Gateway: the composition root; GatewayWarmup, which builds two throwaway ones)
 *  → config (what the gateway was told; read only by the root, which hands each part on)
 *  → inbound, outbound, admin, probe, warmup (the edges: a listener or a client each)
 *  → http (the HTTP proxy both edges install; knows neither edge)
 *  → peer (the one connector to peer gateways, which outbound traffic and the probe dial with; knows no edge, nor http)
 *  → upstream, transport, routing, tls, policy, tap, metrics, limit (the parts)
 *  → pipeline, yaml, io (shared vocabulary and the I/O transport; leaves)
 *  → identity (the module)
 * </pre>
 * A cycle, or an arrow pointing up, fails here rather than in a review. There are no frozen violations
 * and no exclusions: a new dependency that does not fit is a design question, answered by moving a type
 * down, not by widening this test.
 */
@AnalyzeClasses(packages = "dev.isthmus.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ROOT = "dev.isthmus.gateway";

    /** The root package is outside these slices; the next rule keeps it out of every cycle. */
    @ArchTest
    static final ArchRule packagesFormNoCycles = slices().matching("dev.isthmus.gateway.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule subpackagesDoNotImportTheRoot = noClasses().that().resideInAPackage(ROOT + ".*..")
            .should().dependOnClassesThat().resideInAPackage(ROOT);

    @ArchTest
    static final ArchRule dependenciesPointDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("root").definedBy(ROOT)
            .layer("config").definedBy(ROOT + ".config..")
            .layer("edges").definedBy(ROOT + ".inbound..", ROOT + ".outbound..", ROOT + ".admin..", ROOT + ".probe..",
                    ROOT + ".warmup..")
            .layer("http").definedBy(ROOT + ".http..")
            .layer("peer").definedBy(ROOT + ".peer..")
            .layer("parts").definedBy(ROOT + ".upstream..", ROOT + ".transport..", ROOT + ".routing..", ROOT + ".tls..",
                    ROOT + ".policy..", ROOT + ".tap..", ROOT + ".metrics..", ROOT + ".limit..")
            .layer("vocabulary").definedBy(ROOT + ".pipeline..", ROOT + ".yaml..", ROOT + ".io..")
            .whereLayer("root").mayNotBeAccessedByAnyLayer()
            .whereLayer("config").mayOnlyBeAccessedByLayers("root")
            .whereLayer("edges").mayOnlyBeAccessedByLayers("root", "config")
            .whereLayer("http").mayOnlyBeAccessedByLayers("root", "config", "edges")
            .whereLayer("peer").mayOnlyBeAccessedByLayers("root", "edges")
            .whereLayer("parts").mayOnlyBeAccessedByLayers("root", "config", "edges", "http", "peer")
            .whereLayer("vocabulary").mayOnlyBeAccessedByLayers("root", "config", "edges", "http", "peer", "parts");

    /** Linkerd keeps inbound and outbound in separate crates so that neither can reach the other; so do we. */
    @ArchTest
    static final ArchRule inboundDoesNotKnowOutbound = noClasses().that().resideInAPackage(ROOT + ".inbound..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".outbound..");

    @ArchTest
    static final ArchRule outboundDoesNotKnowInbound = noClasses().that().resideInAPackage(ROOT + ".outbound..")
            .should().dependOnClassesThat().resideInAPackage(ROOT + ".inbound..");

    /** The vocabulary every pipeline shares imports nothing else of the gateway, so anything may use it. */
    @ArchTest
    static final ArchRule vocabularyIsALeaf = noClasses().that().resideInAnyPackage(ROOT + ".pipeline..", ROOT + ".yaml..", ROOT + ".io..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT, ROOT + ".config..", ROOT + ".inbound..",
                    ROOT + ".outbound..", ROOT + ".admin..", ROOT + ".probe..", ROOT + ".warmup..", ROOT + ".http..", ROOT + ".peer..",
                    ROOT + ".upstream..",
                    ROOT + ".transport..", ROOT + ".routing..", ROOT + ".tls..", ROOT + ".policy..", ROOT + ".tap..",
                    ROOT + ".metrics..", ROOT + ".limit..");
}
