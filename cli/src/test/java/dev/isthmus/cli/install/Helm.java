package dev.isthmus.cli.install;

import dev.isthmus.testkit.tools.BuiltTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private static final BuiltTool TOOL = new BuiltTool("helm", Duration.ofMinutes(20));

    private Helm() {}

    public static Path binary() {
        return TOOL.binary();
    }

    /**
     * The binary, built first if it is not (Go and the module proxy needed); skips the calling test when it
     * cannot be had, except in CI (env {@code CI} set), where a skip would hide that the chart was never tested.
     */
    public static Path assumeAvailable() {
        return TOOL.assumeAvailable();
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
}
