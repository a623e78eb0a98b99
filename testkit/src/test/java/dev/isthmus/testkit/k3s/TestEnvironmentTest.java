package dev.isthmus.testkit.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The env file build.sh writes, read as the clusters need it; garbage in it must not pass silently. */
class TestEnvironmentTest {

    @TempDir
    Path dir;

    @Test
    void readsKeyValueLinesAndSkipsCommentsBlankAndMalformedLines() throws IOException {
        Path env = dir.resolve("env");
        Files.writeString(env, """
                # Written by tools/k3s-testenv/build.sh
                NODE_IMAGE=isthmus-testenv/k3s-node:0123456789abcdef

                no equals sign here
                =a value without a key
                ISTHMUS_IMAGE = isthmus/isthmus:0.1.0
                KUBECTL=/cache/parts/k3s/kubectl=odd
                """);
        assertThat(TestEnvironment.readEnv(env))
                .containsEntry("NODE_IMAGE", "isthmus-testenv/k3s-node:0123456789abcdef")
                .containsEntry("ISTHMUS_IMAGE", "isthmus/isthmus:0.1.0")
                // Only the first '=' separates: a value may contain more.
                .containsEntry("KUBECTL", "/cache/parts/k3s/kubectl=odd")
                .hasSize(3);
    }

    @Test
    void aMissingEnvFileSaysWhichFile() {
        Path env = dir.resolve("missing/env");
        assertThatThrownBy(() -> TestEnvironment.readEnv(env)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(env.toString());
    }

    @Test
    void theToolsAreFoundFromAModuleDirectoryOfTheRepository() {
        // Tests run in testkit/: the repository's tools/k3s-testenv is one level up.
        assertThat(TestEnvironment.find()).hasValueSatisfying(tools ->
                assertThat(tools.resolve("build.sh")).isRegularFile());
    }
}
