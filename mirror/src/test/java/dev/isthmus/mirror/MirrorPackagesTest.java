package dev.isthmus.mirror;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The mirror's packages form a one-way graph: a package that needs another's vocabulary imports it, and
 * nothing imports back (as {@code link} and {@code desired} once did through the label filter).
 */
class MirrorPackagesTest {

    private static final JavaClasses MIRROR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.isthmus.mirror");

    @Test
    void thePackagesOfTheMirrorHaveNoCycles() {
        slices().matching("dev.isthmus.mirror.(*)..").should().beFreeOfCycles().check(MIRROR);
    }

    @Test
    void theLoopAndTheKubernetesVocabularyAreLeaves() {
        noClasses().that().resideInAnyPackage("dev.isthmus.mirror.loop..", "dev.isthmus.mirror.kube..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.isthmus.mirror.controller..",
                        "dev.isthmus.mirror.desired..", "dev.isthmus.mirror.link..", "dev.isthmus.mirror.routes..",
                        "dev.isthmus.mirror.split..")
                .check(MIRROR);
    }

    @Test
    void onlyTheRouteSourceSpeaksTheGatewaysRoutingTypes() {
        noClasses().that().resideOutsideOfPackage("dev.isthmus.mirror.routes..")
                .should().dependOnClassesThat().resideInAPackage("dev.isthmus.gateway..")
                .check(MIRROR);
    }
}
