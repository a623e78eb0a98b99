package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's invariants, checked statically (no Docker where the tests run): two stages, a numeric
 * non-root user, and an entrypoint that runs the jar cli/pom.xml builds with the lib/ it names.
 */
class DockerfileStaticTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> instructions() throws IOException {
        return Files.readAllLines(ROOT.resolve("Dockerfile")).stream()
                .filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#") && Character.isLetter(l.charAt(0))).toList();
    }

    @Test
    void isMultiStageWithAMavenBuildAndAJreRuntime() throws IOException {
        List<String> from = instructions().stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).contains("maven").contains("17").endsWith("AS build");
        assertThat(from.get(1)).contains("17-jre");
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("./mvnw -B").contains("-pl cli -am package").contains("COPY --from=build");
    }

    @Test
    void runsAsANumericNonRootUser() throws IOException {
        List<String> users = instructions().stream().filter(l -> l.startsWith("USER ")).toList();
        assertThat(users).hasSize(1);
        String user = users.get(0).substring("USER ".length()).trim();
        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isNotZero();
        // The manifests' runAsUser is the image's user.
        assertThat(Files.readString(ROOT.resolve("deploy/multicluster/gateway.yaml")))
                .contains("runAsUser: " + user.split(":")[0]);
        assertThat(Files.readString(ROOT.resolve("deploy/control-plane/identity.yaml")))
                .contains("runAsUser: " + user.split(":")[0]);
    }

    @Test
    void theEntrypointRunsTheJarCliPomBuildsWithItsLibFolder() throws IOException {
        String pom = Files.readString(ROOT.resolve("cli/pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        String jar = finalName.group(1) + ".jar";
        assertThat(pom).contains("<classpathPrefix>lib/</classpathPrefix>").contains("<mainClass>dev.isthmus.cli.Isthmus</mainClass>");

        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("cp cli/target/" + jar + " /out/").contains("cp cli/target/lib/*.jar /out/lib/")
                .contains("COPY --from=build --chown=0:0 /out/ /opt/isthmus/");
        String entrypoint = instructions().stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        assertThat(entrypoint).startsWith("ENTRYPOINT [\"java\"").endsWith("\"-jar\", \"/opt/isthmus/" + jar + "\"]");
    }

    @Test
    void theBuildContextKeepsDeployAndDropsBuildOutputAndKeys() throws IOException {
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(ignored).contains(".git", "**/target", "**/target-*", "*.key");
        // cli/pom.xml puts ../deploy on the classpath: the build needs it.
        assertThat(ignored).noneMatch(l -> l.startsWith("deploy"));
    }
}
