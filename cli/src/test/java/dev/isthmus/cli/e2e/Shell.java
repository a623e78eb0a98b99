package dev.isthmus.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Commands run as a user types them: {@code bash -c} in a work folder, with {@code KUBECONFIG} set and
 * {@code isthmus} and {@code kubectl} on {@code PATH}. Output (stdout and stderr together, as a terminal shows
 * them) goes to a file, so a chatty command never blocks on a full pipe; every command and its output is
 * echoed to the test's log, so CI output shows what ran.
 */
final class Shell {

    /** A finished command: its exit code and what it printed. */
    record Result(String script, int exit, String out) {

        Result ok() {
            assertThat(exit).as("exit code of%n%s%n--- output:%n%s", script, out).isZero();
            return this;
        }

        @Override
        public String toString() {
            return "$ " + script + "\n(exit " + exit + ")\n" + out;
        }
    }

    private final Path workDir;
    private final Map<String, String> environment;
    private final Map<Process, Path> outputs = new ConcurrentHashMap<>();
    private int count;

    /**
     * bash in {@code userDir}, where files land as in a user's folder: {@code deploy} links to the repository's,
     * and {@code bin/isthmus}, then each of {@code tools} (by its name: a multi-call binary such as k3s picks its
     * tool by the name it is called with) come first on PATH; plus {@code extra} variables. Many short CLI runs:
     * C1 alone starts the JVM fastest, and the machine's cores stay for the clusters.
     */
    static Shell inUserFolder(Path userDir, Path repository, Path kubeconfig, Map<String, Path> tools,
            Map<String, String> extra) throws IOException {
        Path bin = Files.createDirectories(userDir.resolve("bin"));
        Path isthmus = Files.writeString(bin.resolve("isthmus"),
                "#!/bin/sh\nexec '" + repository.resolve("bin/isthmus") + "' \"$@\"\n");
        isthmus.toFile().setExecutable(true);
        Files.createSymbolicLink(userDir.resolve("deploy"), repository.resolve("deploy"));
        for (Map.Entry<String, Path> tool : tools.entrySet()) {
            Files.createSymbolicLink(bin.resolve(tool.getKey()), tool.getValue().toAbsolutePath());
        }
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("KUBECONFIG", kubeconfig.toString());
        environment.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        environment.put("ISTHMUS_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        environment.putAll(extra);
        return new Shell(userDir, environment);
    }

    /** Fails unless every line of an {@code isthmus check} output passed (none marked ×, ‼ or ~). */
    static void allPassed(String checkOutput) {
        List<String> notPassed = new ArrayList<>();
        for (String line : checkOutput.split("\n")) {
            if (line.startsWith("× ") || line.startsWith("‼ ") || line.startsWith("~ ")) {
                notPassed.add(line);
            }
        }
        assertThat(notPassed).as("checks that did not pass, in:%n%s", checkOutput).isEmpty();
        assertThat(checkOutput).contains("Status check results are √");
    }

    Shell(Path workDir, Map<String, String> environment) {
        this.workDir = workDir;
        this.environment = Map.copyOf(environment);
    }

    Path workDir() {
        return workDir;
    }

    /** Runs the script and fails the test unless it exits 0. */
    String ok(String script) {
        return run(script, Duration.ofMinutes(5)).ok().out();
    }

    Result run(String script) {
        return run(script, Duration.ofMinutes(5));
    }

    Result run(String script, Duration timeout) {
        Process process = start(script);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process);
                String out = read(process);
                System.out.println("$ " + script + "\n(timed out after " + timeout + ")\n" + out);
                throw new AssertionError("timed out after " + timeout + ": " + script + "\n--- output so far:\n" + out);
            }
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + script, e);
        }
        Result result = new Result(script, process.exitValue(), read(process));
        System.out.println(result);
        return result;
    }

    /** Starts the script without waiting: for traffic that must flow while another command runs. */
    Process start(String script) {
        Path output = workDir.resolve("out-" + (++count) + ".txt");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            outputs.put(process, output);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start bash for: " + script, e);
        }
    }

    /** What the process printed so far (all of it, once it ended). */
    String read(Process process) {
        Path file = outputs.get(process);
        try {
            return file == null ? "" : Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops a started script and whatever it started (kubectl exec, curl loops). */
    static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
