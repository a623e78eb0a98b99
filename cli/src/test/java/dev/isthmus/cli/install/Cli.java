package dev.isthmus.cli.install;
import dev.isthmus.cli.CliRun;
import java.nio.file.Path;

/** The isthmus command run in-process ({@link CliRun}), plus the certificates an install needs. */
public final class Cli {

    private Cli() {}

    public static CliRun isthmus(String... args) {
        return CliRun.isthmus(args);
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
