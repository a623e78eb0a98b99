package dev.isthmus.testkit.k3s;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code tools/k3s-testenv/build.sh} built (its {@code env} file: image names, kubectl) and the
 * scripts that build it and run the Docker engine. The shell scripts are the one implementation;
 * this class only runs them, so a person's {@code up}/{@code down} and the tests share them.
 */
final class TestEnvironment {

    /** A cold build compiles k3s (8–13 minutes on two shared cores) and CoreDNS. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(45);
    private static final Duration ENGINE_TIMEOUT = Duration.ofMinutes(5);

    private final Path tools;
    private final Path directory;
    private final Map<String, String> values;

    private TestEnvironment(Path tools, Path directory, Map<String, String> values) {
        this.tools = tools;
        this.directory = directory;
        this.values = Map.copyOf(values);
    }

    /** The repository's {@code tools/k3s-testenv}, found from the working directory upwards. */
    static Optional<Path> find() {
        String explicit = System.getenv("ISTHMUS_K3S_TESTENV");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Paths.get(explicit)).filter(TestEnvironment::isTools);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path tools = dir.resolve("tools/k3s-testenv");
            if (isTools(tools)) {
                return Optional.of(tools);
            }
        }
        return Optional.empty();
    }

    private static boolean isTools(Path dir) {
        return Files.isRegularFile(dir.resolve("build.sh")) && Files.isRegularFile(dir.resolve("engine.sh"));
    }

    /** Builds what is missing (a no-op when current) and returns what was built. */
    static TestEnvironment build(Path tools) {
        String output = Command.of(BUILD_TIMEOUT, "bash", tools.resolve("build.sh").toString()).run();
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new IllegalStateException("tools/k3s-testenv/build.sh printed nothing (expected: the environment's directory)");
        }
        Path directory = Paths.get(lines.get(lines.size() - 1).strip());
        return new TestEnvironment(tools, directory, readEnv(directory.resolve("env")));
    }

    static Map<String, String> readEnv(Path file) {
        Map<String, String> values = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the test environment's " + file, e);
        }
        return values;
    }

    /** Makes sure a Docker engine runs, held by {@code holder} until {@link #releaseEngine}. */
    static void holdEngine(Path tools, String holder) {
        Command.of(ENGINE_TIMEOUT, "bash", tools.resolve("engine.sh").toString(), "start", holder).run();
    }

    /**
     * Lets go of the engine: it stops when this environment started it and no one else holds it,
     * and the script fails (so this throws) when anything the environment made is left behind.
     */
    static void releaseEngine(Path tools, String holder) {
        Command.of(ENGINE_TIMEOUT, "bash", tools.resolve("engine.sh").toString(), "stop", holder).run();
    }

    Path tools() {
        return tools;
    }

    String value(String key) {
        String value = values.get(requireNonNull(key, "key"));
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("the test environment's env file has no " + key
                    + " (expected: a line " + key + "=...; rerun tools/k3s-testenv/build.sh)");
        }
        return value;
    }

    /** A saved image the clusters load, by its file name in {@code <environment>/images}. */
    Path imageTar(String name) {
        Path tar = directory.resolve("images").resolve(name);
        try {
            return tar.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("the test environment has no image " + tar + " (expected: built by build.sh)", e);
        }
    }
}
