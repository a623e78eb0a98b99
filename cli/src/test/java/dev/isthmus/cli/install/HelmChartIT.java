package dev.isthmus.cli.install;

import static dev.isthmus.cli.install.Cli.certificates;
import static dev.isthmus.cli.install.Cli.concat;
import static dev.isthmus.cli.install.Cli.identityFlags;
import static dev.isthmus.cli.install.Cli.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart (deploy/helm/isthmus) renders, with {@code helm template}, the objects deploy/ holds and the
 * CLI prints: with default values deploy/'s own, with the walkthrough's and with every flag's value the CLI's
 * output object for object (as JSON trees, so key order and YAML style do not count), and a change to deploy/
 * reaches the chart with no edit to it. {@code helm lint --strict} passes, and hostile values are refused
 * saying which value and what was expected.
 */
class HelmChartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "_isthmus-k3j5w2q7m4xa";

    @TempDir static Path dir;

    @BeforeAll
    static void certificatesAndHelm() {
        Helm.assumeAvailable();
        certificates(dir);
    }

    @Test
    void lintPassesStrictlyWithTheWalkthroughsValues() {
        Helm.Run lint = helm(concat(new String[] {"lint", Helm.CHART.toString(), "--strict"}, identityValues())).ok();
        assertThat(lint.out()).contains("1 chart(s) linted, 0 chart(s) failed");
    }

    @Test
    void defaultValuesRenderDeployAsKustomizeBuildsIt() throws IOException {
        Map<String, HasMetadata> chart = template(identityValues());
        Map<String, HasMetadata> deploy = new LinkedHashMap<>();
        for (String file : Crds.files()) {
            deploy.putAll(byKey(Manifests.parse(Files.readString(Cli.deploy().resolve("crds").resolve(file)), "deploy/crds")));
        }
        Map<String, String> files = Map.of("root.crt", pem("root.crt"), "issuer.crt", pem("issuer.crt"), "issuer.key", pem("issuer.key"));
        for (String folder : List.of("control-plane", "multicluster")) {
            DeployDirectory directory = DeployDirectory.load(folder);
            deploy.putAll(byKey(directory.objects()));
            for (DeployDirectory.Generator generator : directory.generators()) {
                deploy.putAll(byKey(List.of(Manifests.generate(generator, files))));
            }
        }
        assertSameObjects("deploy/", deploy, chart);
    }

    @Test
    void theWalkthroughsValuesRenderWhatTheCliPrints() {
        Map<String, HasMetadata> chart = template(concat(identityValues(), "--set", "gateway.id=" + ID));
        Map<String, HasMetadata> cli = cli(new String[0], "--gateway-id", ID);
        assertSameObjects("the CLI", cli, chart);
    }

    @Test
    void everyInstallFlagHasAValueThatMakesTheSameChange() {
        Map<String, HasMetadata> chart = template(concat(identityValues(), "--set", "image=registry.test/isthmus:1",
                "--set", "identityTrustDomain=west.example", "--set", "gateway.port=5143", "--set", "gateway.probePort=5191",
                "--set", "gateway.serviceType=NodePort", "--set", "gateway.id=" + ID, "--set", "gateway.keyExchange={X25519,P-256}"));
        Map<String, HasMetadata> cli = cli(new String[] {"--image", "registry.test/isthmus:1", "--trust-domain", "west.example"},
                "--image", "registry.test/isthmus:1", "--trust-domain", "west.example", "--gateway-port", "5143",
                "--gateway-probe-port", "5191", "--gateway-service-type", "NodePort", "--gateway-id", ID,
                "--gateway-key-exchange", "x25519,secp256r1");
        assertSameObjects("the CLI with the same flags", cli, chart);
    }

    /** Values the CLI has no flags for change only the fields they name. */
    @Test
    void replicasResourcesAndAnExistingIssuerSecretChangeOnlyWhatTheyName() {
        Map<String, HasMetadata> chart = template(concat(new String[] {"--set-file", "identityTrustAnchorsPEM=" + dir.resolve("root.crt"),
            "--set", "identity.issuer.existingSecret=issuer-from-cert-manager", "--set", "identity.replicas=3",
            "--set", "gateway.replicas=0", "--set", "gateway.resources.requests.cpu=250m",
            "--set", "gateway.resources.limits.memory=1Gi", "--set", "gateway.id=" + ID}));
        Map<String, HasMetadata> expected = cli(new String[0], "--gateway-id", ID);
        expected.remove("Secret/isthmus/" + Names.IDENTITY_ISSUER_SECRET);
        Deployment identity = (Deployment) expected.get("Deployment/isthmus/" + Names.IDENTITY);
        identity.getSpec().setReplicas(3);
        identity.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
                .forEach(v -> v.getSecret().setSecretName("issuer-from-cert-manager"));
        Deployment gateway = (Deployment) expected.get("Deployment/" + Names.MULTICLUSTER_NAMESPACE + "/" + Names.GATEWAY);
        gateway.getSpec().setReplicas(0);
        gateway.getSpec().getTemplate().getSpec().getContainers().get(0).setResources(new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("250m")).addToLimits("memory", new Quantity("1Gi")).build());
        assertSameObjects("the CLI's objects with those fields changed", expected, chart);
        assertThat(chart.values()).noneMatch(Secret.class::isInstance);
    }

    /** Only one part: each renders alone, and the other's objects are absent. */
    @Test
    void eitherPartCanBeLeftOut() {
        Map<String, HasMetadata> controlPlaneOnly = template(concat(identityValues(), "--set", "gateway.enabled=false"));
        assertThat(controlPlaneOnly.keySet()).noneMatch(k -> k.contains(Names.MULTICLUSTER_NAMESPACE))
                .contains("Deployment/isthmus/" + Names.IDENTITY);
        Map<String, HasMetadata> gatewayOnly = template("--set-file", "identityTrustAnchorsPEM=" + dir.resolve("root.crt"),
                "--set", "identity.enabled=false");
        assertThat(gatewayOnly.keySet()).noneMatch(k -> k.contains("/isthmus/"))
                .contains("Deployment/" + Names.MULTICLUSTER_NAMESPACE + "/" + Names.GATEWAY);
    }

    @Test
    void hostileOrMissingValuesAreRefusedNamingTheValue() throws IOException {
        String root = "identityTrustAnchorsPEM=" + dir.resolve("root.crt");
        Map<List<String>, String> refusals = new LinkedHashMap<>();
        refusals.put(List.of(), "identityTrustAnchorsPEM: empty (expected: the PEM bundle of trust anchors");
        refusals.put(List.of("--set-file", root), "identity.issuer.tls.crtPEM/keyPEM: empty (expected:");
        refusals.put(List.of("--set-file", root, "--set", "identity.enabled=false", "--set", "gateway.port=4191"),
                "gateway.port and gateway.probePort: both 4191 (expected: two different ports)");
        refusals.put(List.of("--set-file", root, "--set", "identity.issuer.existingSecret=mine",
                "--set-file", "identity.issuer.tls.crtPEM=" + dir.resolve("issuer.crt")),
                "identity.issuer.existingSecret: mine and identity.issuer.tls given too (expected: one of them)");
        // The rest with every required value given, so that the refusal is the hostile value's.
        // (--set-file wins over --set whatever the order, so file values are replaced by files.)
        // The messages never show a PEM value: it may be a key.
        Path notPem = Files.writeString(dir.resolve("not-pem.txt"), "secret-not-pem");
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), pem("root.crt") + pem("root.key"));
        refusals.put(List.of(concat(identityValues(), "--set-file", "identityTrustAnchorsPEM=" + notPem)),
                "identityTrustAnchorsPEM: not PEM of a CERTIFICATE (14 characters, not shown; expected: -----BEGIN CERTIFICATE-----");
        refusals.put(List.of(concat(identityValues(), "--set-file", "identityTrustAnchorsPEM=" + bundle)),
                "identityTrustAnchorsPEM: holds a PRIVATE KEY (");
        refusals.put(List.of(concat(identityValues(), "--set-file", "identity.issuer.tls.crtPEM=" + dir.resolve("issuer.key"))),
                "identity.issuer.tls.crtPEM: holds a PRIVATE KEY (");
        refusals.put(List.of(concat(identityValues(), "--set-file", "identity.issuer.tls.keyPEM=" + notPem)),
                "identity.issuer.tls.keyPEM: not PEM of a PRIVATE KEY (14 characters, not shown;");
        refusals.put(List.of(concat(identityValues(), "--set-file", "identity.issuer.tls.keyPEM=" + dir.resolve("issuer.crt"))),
                "identity.issuer.tls.keyPEM: not PEM of a PRIVATE KEY");
        Map<String, String> schema = new LinkedHashMap<>();
        schema.put("gateway.serviceType=Ingress", "/gateway/serviceType");
        schema.put("gateway.port=70000", "/gateway/port");
        schema.put("gateway.probePort=0", "/gateway/probePort");
        schema.put("identityTrustDomain=Cluster_Local", "/identityTrustDomain");
        // A newline would let a value write its own lines into gateway.yaml, whose text the chart edits.
        schema.put("identityTrustDomain=a\nadmin: {port: 1}", "/identityTrustDomain");
        schema.put("gateway.id=spiffe://cluster.local/ns/x/sa/y", "/gateway/id");
        schema.put("gateway.id=_a\ninbound: {port: 1}", "/gateway/id");
        schema.put("image=evil image", "/image");
        schema.put("gateway.replicas=-1", "/gateway/replicas");
        schema.put("gateway.replicas=two", "/gateway/replicas");
        schema.put("gateway.resources.requests.cpu.x=1", "/gateway/resources/requests/cpu");
        schema.put("gateway.resources.cpu=1", "/gateway/resources");
        schema.put("gatway.port=1", "'gatway' not allowed");
        schema.put("identity.issuer.existingSecret=../etc", "/identity/issuer/existingSecret");
        schema.put("gateway.keyExchange={X25591}", "/gateway/keyExchange/0");
        schema.put("gateway.keyExchange={X25519,X25519}", "/gateway/keyExchange");
        schema.put("gateway.keyExchange=X25519", "/gateway/keyExchange");
        schema.put("gateway.keyExchange[0]=X25519]}\nadmin: {port: 1", "/gateway/keyExchange/0");
        schema.forEach((value, where) -> refusals.put(List.of(concat(identityValues(), "--set", value)), where));
        for (var refusal : refusals.entrySet()) {
            String[] args = concat(new String[] {"template", "isthmus", Helm.CHART.toString()}, refusal.getKey().toArray(String[]::new));
            Helm.Run run = helm(args);
            assertThat(run.exit()).as("helm template with %s must fail; it printed%n%s", refusal.getKey(), run.out()).isNotZero();
            assertThat(run.err()).as("helm template with %s", refusal.getKey()).contains(refusal.getValue());
            assertThat(run.err()).as("helm template with %s", refusal.getKey()).doesNotContain("secret-not-pem")
                    .doesNotContain(pem("issuer.key").lines().skip(1).findFirst().orElseThrow())
                    .doesNotContain(pem("root.key").lines().skip(1).findFirst().orElseThrow());
        }
    }

    /**
     * The chart reads deploy/ when it renders: an object added there (here one more ClusterIP Service for the admin
     * port) is in the chart's output, and an edit the chart makes to deploy/'s text fails loudly, as the CLI's
     * does, once that text is gone.
     */
    @Test
    void aChangeToDeployIsAChangeToTheChart() throws IOException {
        Path copy = dir.resolve("deploy-copy");
        copyTree(Cli.deploy(), copy);
        Path gateway = copy.resolve("multicluster/gateway.yaml");
        // As issue 12's change has it: the admin port off the LoadBalancer, named by an annotation instead.
        String text = Files.readString(gateway);
        String withAnnotation = text.contains("mirror.isthmus.dev/probe-port:") ? text
                : text.replace("    mirror.isthmus.dev/probe-period: \"3\"\n",
                        "    mirror.isthmus.dev/probe-period: \"3\"\n    mirror.isthmus.dev/probe-port: \"4191\"\n");
        Files.writeString(gateway, withAnnotation + """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: isthmus-gateway-extra
                  namespace: isthmus-multicluster
                spec:
                  type: ClusterIP
                  selector:
                    app.kubernetes.io/name: isthmus-gateway
                  ports:
                    - name: admin
                      port: 4191
                      targetPort: admin
                """);
        Path chart = copy.resolve("helm/isthmus");
        Map<String, HasMetadata> rendered = template(chart, concat(identityValues(), "--set", "gateway.probePort=5191"));
        assertThat(rendered).as("the Service added to deploy/").containsKey("Service/isthmus-multicluster/isthmus-gateway-extra");
        Service admin = (Service) rendered.get("Service/isthmus-multicluster/isthmus-gateway-extra");
        assertThat(admin.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(admin.getSpec().getPorts()).extracting(p -> p.getName() + "=" + p.getPort()).containsExactly("admin=5191");
        assertThat(rendered.get("Service/isthmus-multicluster/isthmus-gateway").getMetadata().getAnnotations())
                .containsEntry("mirror.isthmus.dev/probe-port", "5191");

        Path config = copy.resolve("multicluster/gateway-config.yaml");
        Files.writeString(config, Files.readString(config).replace("admin: {port: 4191}", "admin:\n      port: 4191"));
        Helm.Run broken = helm(concat(new String[] {"template", "isthmus", chart.toString()}, identityValues()));
        assertThat(broken.exit()).isNotZero();
        assertThat(broken.err()).contains("deploy/multicluster gateway.yaml no longer contains 'admin: {port: 4191}'");
    }

    private static String[] identityValues() {
        return new String[] {"--set-file", "identityTrustAnchorsPEM=" + dir.resolve("root.crt"),
            "--set-file", "identity.issuer.tls.crtPEM=" + dir.resolve("issuer.crt"),
            "--set-file", "identity.issuer.tls.keyPEM=" + dir.resolve("issuer.key")};
    }

    private static Map<String, HasMetadata> template(String... values) {
        return template(Helm.CHART, values);
    }

    /** {@code helm template --include-crds}, parsed; the release is named isthmus, in namespace default. */
    private static Map<String, HasMetadata> template(Path chart, String... values) {
        Helm.Run run = helm(concat(new String[] {"template", "isthmus", chart.toString(), "--include-crds"}, values)).ok();
        return byKey(Manifests.parse(run.out(), "helm template"));
    }

    /** What `isthmus install --crds`, `isthmus install` and `isthmus multicluster install` print, by key. */
    private static Map<String, HasMetadata> cli(String[] installFlags, String... multiclusterFlags) {
        Map<String, HasMetadata> objects = new LinkedHashMap<>();
        objects.putAll(byKey(Manifests.parse(isthmus("install", "--crds").ok().out(), "install --crds")));
        objects.putAll(byKey(Manifests.parse(isthmus(concat(concat(new String[] {"install"}, identityFlags(dir)), installFlags)).ok().out(),
                "install")));
        objects.putAll(byKey(Manifests.parse(isthmus(concat(new String[] {"multicluster", "install", "--identity-trust-anchors-file",
            dir.resolve("root.crt").toString()}, multiclusterFlags)).ok().out(), "multicluster install")));
        return objects;
    }

    private static Helm.Run helm(String... args) {
        return Helm.run(dir, args);
    }

    private static void assertSameObjects(String what, Map<String, HasMetadata> expected, Map<String, HasMetadata> chart) {
        assertThat(chart.keySet()).as("the chart's objects vs %s's", what).containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> differing = new ArrayList<>();
        for (String key : expected.keySet()) {
            if (!JSON.valueToTree(expected.get(key)).equals(JSON.valueToTree(chart.get(key)))) {
                differing.add(key + ": " + what + "\n" + Serialization.asYaml(expected.get(key)) + "vs the chart\n"
                        + Serialization.asYaml(chart.get(key)));
            }
        }
        assertThat(differing).as("objects that differ").isEmpty();
    }

    private static Map<String, HasMetadata> byKey(List<HasMetadata> objects) {
        Map<String, HasMetadata> byKey = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            String key = object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
            assertThat(byKey.put(key, object)).as("%s twice", key).isNull();
        }
        return byKey;
    }

    private static String pem(String file) throws IOException {
        return Files.readString(dir.resolve(file));
    }

    /** Copies deploy/, keeping the chart's links to its folders as links (relative, so they point into the copy). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isSymbolicLink(path)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(path));
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
