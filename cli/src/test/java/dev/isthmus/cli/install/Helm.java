package dev.isthmus.cli.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The helm binary tools/helm/build.sh builds ({@code $ISTHMUS_HELM}, else {@code current/bin/helm} in its cache),
 * run with a HOME of its own so that no user's repositories or plugins change what it does.
 */
public final class Helm {

    /** A finished helm run: its exit code, stdout, and stderr. */
    public record Run(List<String> command, int exit, String out, String err) {

        public Run ok() {
            if (exit != 0) {
                throw new AssertionError("helm exited " + exit + ": " + String.join(" ", command) + "\n--- stderr:\n" + err
                        + "\n--- stdout:\n" + out);
            }
            return this;
        }
    }

    /** The chart, in the source tree (tests run in cli/). */
    public static final Path CHART = Path.of("..", "deploy", "helm", "isthmus").toAbsolutePath().normalize();

    private Helm() {}

    public static Path binary() {
        String explicit = System.getenv("ISTHMUS_HELM");
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        String cache = System.getenv("ISTHMUS_HELM_CACHE");
        Path cacheDir = cache != null && !cache.isBlank() ? Paths.get(cache)
                : Paths.get(System.getProperty("user.home"), ".cache", "isthmus", "helm");
        return cacheDir.resolve("current").resolve("bin").resolve("helm");
    }

    /**
     * The binary, built first if it is not (Go and the module proxy needed); skips the calling test when it
     * cannot be had, except in CI (env {@code CI} set), where a skip would hide that the chart was never tested.
     */
    public static synchronized Path assumeAvailable() {
        Path binary = binary();
        if (Files.isExecutable(binary) || System.getenv("ISTHMUS_HELM") == null && build() && Files.isExecutable(binary())) {
            return binary();
        }
        String message = "helm: " + binary + " (expected: an executable; run tools/helm/build.sh or set ISTHMUS_HELM)";
        if (System.getenv("CI") != null) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
        return binary;
    }

    /** Runs helm with {@code args} in {@code home} (its HOME and XDG folders); never throws on a non-zero exit. */
    public static Run run(Path home, String... args) {
        List<String> command = new ArrayList<>();
        command.add(assumeAvailable().toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(home, "helm", ".out");
            Path err = Files.createTempFile(home, "helm", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().put("HOME", home.toString());
            for (String xdg : List.of("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")) {
                builder.environment().put(xdg, home.resolve(xdg.toLowerCase()).toString());
            }
            builder.environment().remove("KUBECONFIG");
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("helm did not finish within 2 minutes: " + command);
            }
            return new Run(command, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    private static boolean build() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("tools/helm/build.sh");
            if (Files.isRegularFile(script)) {
                try {
                    Process build = new ProcessBuilder("bash", script.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    if (!build.waitFor(20, TimeUnit.MINUTES)) {
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
}
