package dev.isthmus.testkit.k3s;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One external command run to completion: its standard output is the result, its standard error
 * goes to ours (the build's progress shows in the test log), and a failure says what ran and why.
 */
final class Command {

    private final List<String> argv;
    private final Duration timeout;

    Command(List<String> argv, Duration timeout) {
        this.argv = List.copyOf(requireNonNull(argv, "argv"));
        this.timeout = requireNonNull(timeout, "timeout");
    }

    static Command of(Duration timeout, String... argv) {
        return new Command(List.of(argv), timeout);
    }

    /** Runs the command; returns its standard output, or throws when it fails or overruns. */
    String run() {
        return run(ProcessBuilder.Redirect.INHERIT);
    }

    private String run(ProcessBuilder.Redirect error) {
        Path out = null;
        try {
            out = Files.createTempFile("isthmus-k3s-command-", ".out");
            Process process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(error)
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(this + ": still running after " + timeout + " (expected: to finish)");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(this + ": exit code " + process.exitValue() + " (expected: 0); output: "
                        + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(this + ": interrupted", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file; the system cleans its temp directory
                }
            }
        }
    }

    /** True when the command exits 0 within its time; its output, and its errors, are dropped. */
    boolean succeeds() {
        try {
            run(ProcessBuilder.Redirect.DISCARD);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}
