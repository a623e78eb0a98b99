package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's invariants, checked statically: two stages on base images given as build arguments,
 * buildable without BuildKit, Maven's downloads cached apart from the sources, a numeric non-root user,
 * and an entrypoint that runs the jar cli/pom.xml builds with the lib/ it names.
 */
class DockerfileStaticTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> instructions() throws IOException {
        return Files.readAllLines(ROOT.resolve("Dockerfile")).stream()
                .filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#") && Character.isLetter(l.charAt(0))).toList();
    }

    @Test
    void isMultiStageWithAMavenBuildAndAJreRuntimeChosenByBuildArguments() throws IOException {
        List<String> from = instructions().stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).containsExactly("FROM ${BUILD_IMAGE} AS build", "FROM ${RUNTIME_IMAGE} AS runtime");
        // The defaults stay the public images a user pulls; tools/k3s-testenv passes local ones.
        assertThat(argDefault("BUILD_IMAGE")).contains("maven").contains("17");
        assertThat(argDefault("RUNTIME_IMAGE")).contains("17-jre");
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("bin/maven -B").contains("-pl cli -am package").contains("COPY --from=build");
    }

    @Test
    void buildsWithTheLegacyBuilderAsWellAsBuildKit() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        // Both need BuildKit; Debian's docker.io has only the legacy builder.
        assertThat(dockerfile.lines()).noneMatch(l -> l.strip().toLowerCase().startsWith("# syntax="));
        assertThat(dockerfile).doesNotContain("--mount=");
    }

    @Test
    void resolvesMavenDependenciesFromThePomsAloneBeforeCopyingTheSources() throws IOException {
        List<String> lines = instructions();
        int resolve = indexOf(lines, l -> l.startsWith("RUN bin/maven "));
        int sources = indexOf(lines, l -> l.equals("COPY . ."));
        assertThat(resolve).isPositive().isLessThan(sources);
        // Every module's pom is there before the download, or Maven cannot read the reactor.
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        int modules = 0;
        while (module.find()) {
            modules++;
            String copy = "COPY " + module.group(1) + "/pom.xml " + module.group(1) + "/";
            assertThat(indexOf(lines, l -> l.equals(copy))).as(copy).isBetween(0, resolve);
        }
        assertThat(modules).isPositive();
        assertThat(indexOf(lines, l -> l.equals("COPY pom.xml ./"))).isBetween(0, resolve);
        assertThat(indexOf(lines, l -> l.equals("COPY bin/maven bin/"))).isBetween(0, resolve);
    }

    @Test
    void theGatewayRunsWithTheFlagsTheBenchmarksJustify() throws IOException {
        String gateway = Files.readString(ROOT.resolve("deploy/multicluster/gateway.yaml"));
        String benchmarks = Files.readString(ROOT.resolve("benchmarks/README.md"));
        assertThat(gateway).contains("- name: JAVA_TOOL_OPTIONS");
        for (String flag : List.of("-Xmx160m", "-Xms32m", "-Xmn16m", "-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000",
                "-Dio.netty.handler.ssl.openssl.sessionCacheServer=false", "-Dio.netty.leakDetection.samplingInterval=4096")) {
            assertThat(benchmarks).as("benchmarks/README.md justifies " + flag).contains(flag);
            assertThat(gateway).contains(flag);
        }
    }

    private static String argDefault(String name) throws IOException {
        String prefix = "ARG " + name + "=";
        return instructions().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new AssertionError("Dockerfile has no " + prefix + "..."));
    }

    private static int indexOf(List<String> lines, Predicate<String> wanted) {
        for (int i = 0; i < lines.size(); i++) {
            if (wanted.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
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
        // cli/pom.xml puts ../deploy on the classpath, mirror/pom.xml ../deploy/crds: the build needs it.
        assertThat(ignored).noneMatch(l -> l.startsWith("deploy"));
    }
}
