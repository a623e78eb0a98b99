package dev.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The gateway's runtime class path, as Maven resolved it for this build (maven-dependency-plugin's
 * {@code list}, written into the test resources by gateway/pom.xml), holds no Kubernetes client: the
 * gateway consumes route tables and knows nothing of Kubernetes, and a client on its class path is
 * megabytes of code, Jackson's parsers and their CVEs in the process that faces the network. An import
 * rule could not catch this; a transitive dependency of identity once brought them in.
 */
class GatewayDependenciesTest {

    /** {@code group:artifact:type[:classifier]:version:scope}, as dependency:list prints each artifact. */
    private static final Pattern ARTIFACT = Pattern.compile("[\\w.-]+:[\\w.-]+:[\\w.-]+(:[\\w.-]+)?:[\\w.-]+:(compile|runtime)");

    private static List<String> runtimeArtifacts() throws IOException {
        try (InputStream in = GatewayDependenciesTest.class.getResourceAsStream("/runtime-dependencies.txt")) {
            assertThat(in).as("runtime-dependencies.txt on the test class path (expected: written by gateway/pom.xml's "
                    + "dependency:list in generate-test-resources; run the tests through Maven)").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    // Newer plugin versions append " -- module <name>"; the coordinates come first.
                    .map(l -> l.split("\\s+", 2)[0])
                    .filter(l -> ARTIFACT.matcher(l).matches())
                    .toList();
        }
    }

    @Test
    void theListIsTheRealResolvedTree() throws IOException {
        // Without this, an empty or unparsable list would make every "none of" below pass.
        assertThat(runtimeArtifacts()).anyMatch(a -> a.startsWith("dev.isthmus:isthmus-identity:jar:"))
                .anyMatch(a -> a.startsWith("io.netty:netty-handler:jar:"))
                .anyMatch(a -> a.startsWith("org.bouncycastle:bcprov-jdk18on:jar:"));
    }

    @Test
    void holdsNoKubernetesClient() throws IOException {
        assertThat(runtimeArtifacts()).noneMatch(a -> a.startsWith("io.fabric8:"));
    }

    @Test
    void holdsNoJackson() throws IOException {
        // The gateway writes its little JSON by hand (admin, tap); Jackson came only with the Kubernetes client.
        assertThat(runtimeArtifacts()).noneMatch(a -> a.startsWith("com.fasterxml.jackson"));
    }

    @Test
    void holdsNoNativeSignatureProvider() throws IOException {
        // The gateway never signs certificates; ACCP is for the issuer (identity's optional dependency).
        assertThat(runtimeArtifacts()).noneMatch(a -> a.startsWith("software.amazon.cryptools:"));
    }
}
