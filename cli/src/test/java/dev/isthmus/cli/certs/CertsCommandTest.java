package dev.isthmus.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.Isthmus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The certificate walkthrough through the real command line, checked with the real openssl. */
class CertsCommandTest {

    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    Run isthmus(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Isthmus.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    String path(String name) {
        return dir.resolve(name).toString();
    }

    void walkthrough() {
        assertThat(isthmus("certs", "root", "--cert", path("root.crt"), "--key", path("root.key")).exit()).isZero();
        assertThat(isthmus("certs", "issuer", "--ca-cert", path("root.crt"), "--ca-key", path("root.key"),
                "--cert", path("issuer.crt"), "--key", path("issuer.key")).exit()).isZero();
        assertThat(isthmus("certs", "leaf", "--ca-cert", path("issuer.crt"), "--ca-key", path("issuer.key"),
                "--identity", "spiffe://cluster.local/ns/east/sa/podinfo", "--cert", path("leaf.crt"),
                "--key", path("leaf.key")).exit()).isZero();
    }

    @Test
    void walkthroughMakesAChainOpensslVerifies() throws Exception {
        walkthrough();

        assertThat(openssl("verify", "-CAfile", path("root.crt"), "-untrusted", path("issuer.crt"), path("leaf.crt")))
                .contains("leaf.crt: OK");
        assertThat(openssl("x509", "-in", path("leaf.crt"), "-noout", "-text"))
                .contains("URI:spiffe://cluster.local/ns/east/sa/podinfo")
                .contains("DNS:podinfo.east.serviceaccount.identity.isthmus.cluster.local")
                .contains("CA:FALSE");
        assertThat(openssl("x509", "-in", path("issuer.crt"), "-noout", "-text")).contains("CA:TRUE, pathlen:0");
        for (String key : List.of("root.key", "issuer.key", "leaf.key")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key)))).isEqualTo("rw-------");
        }
    }

    @Test
    void inspectShowsTheChainAndWhetherItVerifies() throws Exception {
        walkthrough();
        Run ok = isthmus("certs", "inspect", path("leaf.crt"), "--anchors", path("root.crt"));
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("certificate 1 of 2", "URI:spiffe://cluster.local/ns/east/sa/podinfo",
                "CN=identity.isthmus.cluster.local", "SHA-256:", "chain: verified against");

        assertThat(isthmus("certs", "root", "--cert", path("other.crt"), "--key", path("other.key")).exit()).isZero();
        Run wrongAnchor = isthmus("certs", "inspect", path("leaf.crt"), "--anchors", path("other.crt"));
        assertThat(wrongAnchor.exit()).isEqualTo(1);
        assertThat(wrongAnchor.out()).contains("chain: does NOT verify against");
    }

    @Test
    void refusesToOverwriteWithoutForceAndLeavesTheOldFiles() throws Exception {
        walkthrough();
        byte[] before = Files.readAllBytes(dir.resolve("root.key"));
        Files.delete(dir.resolve("root.crt"));

        Run refused = isthmus("certs", "root", "--cert", path("root.crt"), "--key", path("root.key"));
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("root.key already exists (pass --force to overwrite it)");
        assertThat(dir.resolve("root.crt")).doesNotExist(); // nothing half-written
        assertThat(Files.readAllBytes(dir.resolve("root.key"))).isEqualTo(before);

        assertThat(isthmus("certs", "root", "--cert", path("root.crt"), "--key", path("root.key"), "--force").exit()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("root.key"))).isNotEqualTo(before);
    }

    @Test
    void acceptsARootAndIssuerMadeWithPlainOpenssl() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                "-subj", "/CN=root.openssl.test", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", path("root.key"), "-out", path("root.crt"));
        // SEC1 key with EC PARAMETERS in front, as `openssl ecparam -genkey` writes it.
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", path("issuer.key"));
        openssl("req", "-new", "-key", path("issuer.key"), "-subj", "/CN=issuer.openssl.test", "-out", path("issuer.csr"));
        Files.writeString(dir.resolve("ext.cnf"), "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
        openssl("x509", "-req", "-in", path("issuer.csr"), "-CA", path("root.crt"), "-CAkey", path("root.key"),
                "-CAcreateserial", "-days", "10", "-extfile", path("ext.cnf"), "-out", path("issuer.crt"));

        Run leaf = isthmus("certs", "leaf", "--ca-cert", path("issuer.crt"), "--ca-key", path("issuer.key"),
                "--identity", "spiffe://cluster.local/ns/west/sa/frontend", "--cert", path("leaf.crt"), "--key", path("leaf.key"));
        assertThat(leaf.exit()).as(leaf.err()).isZero();
        assertThat(openssl("verify", "-CAfile", path("root.crt"), "-untrusted", path("issuer.crt"), path("leaf.crt")))
                .contains("leaf.crt: OK");

        Run issuer = isthmus("certs", "issuer", "--ca-cert", path("root.crt"), "--ca-key", path("root.key"),
                "--cert", path("ours.crt"), "--key", path("ours.key"));
        assertThat(issuer.exit()).as(issuer.err()).isZero();
        assertThat(openssl("verify", "-CAfile", path("root.crt"), path("ours.crt"))).contains("ours.crt: OK");
    }

    @Test
    void badInputIsOneClearLineAndExitCodeOne() throws Exception {
        walkthrough();
        Files.writeString(dir.resolve("garbage.crt"), "this is not PEM\n");

        assertError(isthmus("certs", "leaf", "--ca-cert", path("issuer.crt"), "--ca-key", path("root.key"),
                "--identity", "spiffe://cluster.local/ns/a/sa/b", "--cert", path("x.crt"), "--key", path("x.key")),
                "the key does not match the certificate");
        assertError(isthmus("certs", "leaf", "--ca-cert", path("leaf.crt"), "--ca-key", path("leaf.key"),
                "--identity", "spiffe://cluster.local/ns/a/sa/b", "--cert", path("x.crt"), "--key", path("x.key")),
                "is not a CA certificate");
        assertError(isthmus("certs", "leaf", "--ca-cert", path("issuer.crt"), "--ca-key", path("issuer.key"),
                "--identity", "spiffe://cluster.local/a/b", "--cert", path("x.crt"), "--key", path("x.key")),
                "expected: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>");
        assertError(isthmus("certs", "inspect", path("garbage.crt")), "no PEM CERTIFICATE block found");
        assertError(isthmus("certs", "inspect", path("missing.crt")), "missing.crt: no such file");
        assertThat(dir.resolve("x.crt")).doesNotExist();
        assertThat(dir.resolve("x.key")).doesNotExist();

        Run badDuration = isthmus("certs", "root", "--cert", path("r.crt"), "--key", path("r.key"), "--not-after", "ten years");
        assertThat(badDuration.exit()).isEqualTo(2);
        assertThat(badDuration.err()).contains("'ten years' is not a duration (expected a duration such as 24h");
    }

    private static void assertError(Run run, String message) {
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains(message).doesNotContain("Exception");
    }

    private String openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
