package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.Isthmus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** The isthmus command run in-process, as CertsCommandTest runs it, plus the certificates an install needs. */
public final class Cli {

    public record Run(int exit, String out, String err) {
        public Run ok() {
            assertThat(exit).as("exit code; stderr: %s", err).isZero();
            return this;
        }
    }

    private Cli() {}

    public static Run isthmus(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Isthmus.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** root.crt/root.key and issuer.crt/issuer.key in {@code dir}, made by `isthmus certs`. */
    public static void certificates(Path dir) {
        isthmus("certs", "root", "--cert", dir.resolve("root.crt").toString(), "--key", dir.resolve("root.key").toString(),
                "--force").ok();
        isthmus("certs", "issuer", "--ca-cert", dir.resolve("root.crt").toString(), "--ca-key", dir.resolve("root.key").toString(),
                "--cert", dir.resolve("issuer.crt").toString(), "--key", dir.resolve("issuer.key").toString(), "--force").ok();
    }

    /** The identity flags of `isthmus install` for the files of {@link #certificates}. */
    public static String[] identityFlags(Path dir) {
        return new String[] {"--identity-trust-anchors-file", dir.resolve("root.crt").toString(),
            "--identity-issuer-certificate-file", dir.resolve("issuer.crt").toString(),
            "--identity-issuer-key-file", dir.resolve("issuer.key").toString()};
    }

    public static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** deploy/ in the source tree (tests run in cli/). */
    public static Path deploy() {
        return Path.of("..", "deploy").toAbsolutePath().normalize();
    }
}
