package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/maven is how the README, CI, the Dockerfile and the tools run Maven. It is not the Apache Maven
 * Wrapper, so it does not carry that name: these checks keep every caller pointing at it, and that it
 * runs the build of this repository wherever it is called from.
 */
class BuildScriptTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmesFirstCommandsNameExecutablesInTheRepository() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("```sh\n") + "```sh\n".length();
        List<String> commands = readme.substring(start, readme.indexOf("```", start)).lines().toList();
        assertThat(commands).hasSize(2);
        assertThat(commands).extracting(c -> c.split("\\s+")[0]).containsExactly("bin/isthmus", "bin/maven");
        for (String command : commands) {
            assertThat(ROOT.resolve(command.split("\\s+")[0])).isExecutable();
        }
    }

    @Test
    void everyCallerUsesBinMavenAndNoneAMavenWrapperThatIsNotThere() throws IOException {
        assertThat(ROOT.resolve("mvnw")).doesNotExist();
        for (String caller : List.of(".ci/run", "Dockerfile", "bin/isthmus", "tools/k3s-testenv/twoclusters.sh")) {
            assertThat(Files.readString(ROOT.resolve(caller))).as(caller).contains("bin/maven").doesNotContain("mvnw");
        }
        // README.md, docs/*.md, <module or tool>/README.md: three levels hold every document we write.
        try (Stream<Path> docs = Files.walk(ROOT, 3).filter(p -> p.toString().endsWith(".md"))
                .filter(p -> !ROOT.relativize(p).toString().matches("(.*/)?(target[^/]*|node_modules|\\.git)/.*"))) {
            for (Path doc : docs.toList()) {
                assertThat(Files.readString(doc)).as(ROOT.relativize(doc).toString()).doesNotContain("./mvnw");
            }
        }
    }

    @Test
    void runsMavenOnThisRepositoryFromAnyWorkingDirectory(@TempDir Path elsewhere) throws Exception {
        // -pl testkit resolves only if the script moved to the repository's root; validate binds no plugin.
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/maven").toString(), "-o", "-q", "-pl", "testkit", "validate"));
        Process process = new ProcessBuilder(command).directory(elsewhere.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
