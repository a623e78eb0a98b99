package dev.isthmus.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where tests find kubectl: PATH first, else the one build.sh puts beside kube-apiserver. */
class KubectlLookupTest {

    @TempDir Path dir;

    @Test
    void kubectlOnPathWins() throws IOException {
        Path onPath = executable(dir.resolve("path/kubectl"));
        Path built = executable(dir.resolve("bin/kubectl"));

        assertThat(KubeApiServer.kubectl(dir.resolve("empty") + File.pathSeparator + onPath.getParent(), built.getParent()))
                .contains(onPath);
    }

    @Test
    void withoutKubectlOnPathTheBuiltOneIsUsed() throws IOException {
        Files.createDirectories(dir.resolve("path"));
        Path built = executable(dir.resolve("bin/kubectl"));

        assertThat(KubeApiServer.kubectl(dir.resolve("path").toString(), built.getParent())).contains(built);
        assertThat(KubeApiServer.kubectl("", built.getParent())).contains(built);
    }

    @Test
    void aFileThatIsNotExecutableIsNotKubectl() throws IOException {
        Path plain = dir.resolve("bin/kubectl");
        Files.createDirectories(plain.getParent());
        Files.writeString(plain, "not a program");

        assertThat(KubeApiServer.kubectl(plain.getParent().toString(), plain.getParent())).isEmpty();
    }

    @Test
    void emptyWhenNeitherIsThere() {
        assertThat(KubeApiServer.kubectl(dir.toString(), dir.resolve("bin"))).isEmpty();
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
