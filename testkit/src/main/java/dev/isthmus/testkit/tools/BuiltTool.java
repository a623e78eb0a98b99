package dev.isthmus.testkit.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program the tests run that {@code tools/<name>/build.sh} builds from its Go module into a cache outside the
 * repository (h2spec, helm): {@code $ISTHMUS_<NAME>} when set, else {@code current/bin/<name>} under
 * {@code $ISTHMUS_<NAME>_CACHE} or {@code ~/.cache/isthmus/<name>}, built on first use when the repository is at
 * hand, so the README's one test command is complete on a fresh clone.
 */
public final class BuiltTool {

    private final String name;
    private final Duration buildTimeout;

    public BuiltTool(String name, Duration buildTimeout) {
        this.name = name;
        this.buildTimeout = buildTimeout;
    }

    /** Where the binary is, or would be once built. */
    public Path binary() {
        String explicit = System.getenv(variable(""));
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        String cache = System.getenv(variable("_CACHE"));
        Path cacheDir = cache != null && !cache.isBlank()
                ? Paths.get(cache)
                : Paths.get(System.getProperty("user.home"), ".cache", "isthmus", name);
        return cacheDir.resolve("current").resolve("bin").resolve(name);
    }

    /**
     * The binary, built first if it is not (Go and the module proxy needed). Skips the calling test when it cannot
     * be had, except in CI (env {@code CI} set), where a skip would hide that the test never ran.
     */
    public synchronized Path assumeAvailable() {
        Path binary = binary();
        if (Files.isExecutable(binary)
                || System.getenv(variable("")) == null && runBuildScript("tools/" + name + "/build.sh", buildTimeout)
                        && Files.isExecutable(binary())) {
            return binary();
        }
        String message = name + ": " + binary + " (expected: an executable; run tools/" + name + "/build.sh or set "
                + variable("") + ")";
        if (System.getenv("CI") != null) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
        return binary;
    }

    /**
     * Runs {@code script} (relative to the repository's root, found upwards from the working directory) with its
     * output discarded and its errors shown; false when there is no repository, or the script fails or outlives
     * {@code timeout}.
     */
    public static boolean runBuildScript(String script, Duration timeout) {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path path = dir.resolve(script);
            if (Files.isRegularFile(path)) {
                try {
                    Process build = new ProcessBuilder("bash", path.toString())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
                    if (!build.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        build.destroyForcibly();
                        return false;
                    }
                    return build.exitValue() == 0;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private String variable(String suffix) {
        return "ISTHMUS_" + name.toUpperCase(Locale.ROOT) + suffix;
    }
}
