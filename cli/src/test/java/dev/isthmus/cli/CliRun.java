package dev.isthmus.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** The {@code isthmus} command run in-process, its output and exit code kept for assertions. */
public record CliRun(int exit, String out, String err) {

    /** Fails the test, showing stderr, unless the command succeeded. */
    public CliRun ok() {
        org.assertj.core.api.Assertions.assertThat(exit).as("exit code; stderr: %s", err).isZero();
        return this;
    }

    public static CliRun isthmus(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Isthmus.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** A kubeconfig whose one context, {@code nowhere}, points at a port nothing listens on. */
    public static Path unreachableKubeconfig(Path dir) throws java.io.IOException {
        return Files.writeString(dir.resolve("unreachable.kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: nowhere
                  cluster:
                    server: https://127.0.0.1:1
                    insecure-skip-tls-verify: true
                users:
                - name: nobody
                  user:
                    token: not-a-token
                contexts:
                - name: nowhere
                  context:
                    cluster: nowhere
                    user: nobody
                current-context: nowhere
                """);
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
}
