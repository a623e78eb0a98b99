package dev.isthmus.identity.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code openssl} command in one folder, so tests can check that what Isthmus writes
 * and reads is what the tool everyone uses writes and reads. File arguments are relative to the folder.
 */
public final class Openssl {

    private static final long TIMEOUT_SECONDS = 60;

    private final Path dir;

    public Openssl(Path dir) {
        this.dir = dir;
    }

    /** What a finished command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code openssl args…} and returns what it printed; fails the test if it exits non-zero. */
    public String run(String... args) {
        Result result = exec(args);
        if (!result.ok()) {
            throw new AssertionError("openssl " + String.join(" ", args) + " exited " + result.exitCode()
                    + ":\n" + result.output());
        }
        return result.output();
    }

    /** Runs {@code openssl args…}, whatever its exit code. */
    public Result exec(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile(dir, ".openssl", ".out");
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), Files.readString(output, UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover in a @TempDir is removed with it
                }
            }
        }
    }

    /** Writes {@code content} to {@code name} in the folder, such as an {@code -extfile}. */
    public Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String name) {
        try {
            return Files.readString(dir.resolve(name), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
