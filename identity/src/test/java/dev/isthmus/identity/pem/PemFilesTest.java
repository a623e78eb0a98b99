package dev.isthmus.identity.pem;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.Openssl;
import dev.isthmus.identity.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PEM files on disk: size and encoding limits, modes, and never half-writing a key pair. */
class PemFilesTest {

    private static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create();
    }

    @Test
    void writesKeysOwnerOnlyAndCertificatesWorldReadable() throws IOException {
        Path key = dir.resolve("issuer.key");
        Path certificate = dir.resolve("issuer.crt");

        PemFiles.write(List.of(Output.key(key, pki.issuer().key()),
                Output.certificates(certificate, List.of(pki.issuer().certificate(), pki.root().certificate()))), false);

        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(mode(certificate)).isEqualTo("rw-r--r--");
        assertThat(PemFiles.readPrivateKey(key).getEncoded()).isEqualTo(pki.issuer().key().getEncoded());
        assertThat(PemFiles.readCertificates(certificate))
                .containsExactly(pki.issuer().certificate(), pki.root().certificate());
        assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void whatItWritesOpensslReads() {
        Openssl openssl = new Openssl(dir);
        PemFiles.write(List.of(Output.key(dir.resolve("issuer.key"), pki.issuer().key()),
                Output.certificates(dir.resolve("issuer.crt"), List.of(pki.issuer().certificate()))), false);

        assertThat(openssl.run("ec", "-in", "issuer.key", "-check", "-noout")).contains("EC Key valid.");
        assertThat(openssl.run("x509", "-in", "issuer.crt", "-noout", "-subject"))
                .contains("subject=CN = identity.isthmus.cluster.local");
        // The key is the certificate's: openssl derives the same public key from both.
        assertThat(openssl.run("pkey", "-in", "issuer.key", "-pubout"))
                .isEqualTo(openssl.run("x509", "-in", "issuer.crt", "-noout", "-pubkey"));
    }

    @Test
    void createsMissingFolders() {
        Path key = dir.resolve("a/b/leaf.key");

        PemFiles.write(List.of(Output.key(key, pki.issuer().key())), false);

        assertThat(key).isRegularFile();
        assertThat(mode(key)).isEqualTo("rw-------");
    }

    @ParameterizedTest
    @ValueSource(strings = {"issuer.crt", "issuer.key"})
    void refusesToWriteAnythingWhenAnyTargetExists(String existing) throws IOException {
        Path key = dir.resolve("issuer.key");
        Path certificate = dir.resolve("issuer.crt");
        Files.writeString(dir.resolve(existing), "keep me\n");

        assertThatThrownBy(() -> PemFiles.write(List.of(Output.key(key, pki.issuer().key()),
                        Output.certificates(certificate, List.of(pki.issuer().certificate()))), false))
                .isInstanceOf(PemException.class)
                .hasMessage(dir.resolve(existing) + " already exists (pass --force to overwrite it)");

        assertThat(dir.resolve(existing)).hasContent("keep me");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve(existing));
        }
    }

    @Test
    void overwriteReplacesExistingFilesAndTightensTheKeyMode() throws IOException {
        Path key = dir.resolve("issuer.key");
        Path certificate = dir.resolve("issuer.crt");
        Files.writeString(key, "old key\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(certificate, "old certificate\n");

        PemFiles.write(List.of(Output.key(key, pki.issuer().key()),
                Output.certificates(certificate, List.of(pki.issuer().certificate()))), true);

        assertThat(PemFiles.readPrivateKey(key).getEncoded()).isEqualTo(pki.issuer().key().getEncoded());
        assertThat(PemFiles.readCertificates(certificate)).containsExactly(pki.issuer().certificate());
        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(mode(certificate)).isEqualTo("rw-r--r--");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(key, certificate);
        }
    }

    @Test
    void readsFilesOpensslWrote() {
        Openssl openssl = new Openssl(dir);
        openssl.run("ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
        openssl.run("req", "-x509", "-key", "ca.key", "-subj", "/CN=openssl-root", "-days", "1", "-out", "ca.crt");

        PrivateKey key = PemFiles.readPrivateKey(dir.resolve("ca.key"));
        List<X509Certificate> certificates = PemFiles.readCertificates(dir.resolve("ca.crt"));

        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(certificates).singleElement()
                .satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=openssl-root"));
    }

    @Test
    void aMissingFile() {
        Path missing = dir.resolve("missing.crt");

        assertThatThrownBy(() -> PemFiles.readCertificates(missing))
                .isInstanceOf(PemException.class)
                .hasMessage(missing + ": no such file");
    }

    @Test
    void aBinaryFile() {
        Openssl openssl = new Openssl(dir);
        openssl.run("ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
        openssl.run("req", "-x509", "-key", "ca.key", "-subj", "/CN=der", "-days", "1", "-outform", "DER", "-out", "ca.der");
        Path der = dir.resolve("ca.der");

        assertThatThrownBy(() -> PemFiles.readCertificates(der))
                .isInstanceOf(PemException.class)
                .hasMessage(der + ": not a text file (expected PEM: ASCII '-----BEGIN ...' blocks)");
    }

    @Test
    void anEmptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.key"));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(empty))
                .isInstanceOf(PemException.class)
                .hasMessage(empty + ": no PEM private key block found"
                        + " (expected '-----BEGIN PRIVATE KEY-----' or '-----BEGIN EC PRIVATE KEY-----')");
    }

    @Test
    void aFileOverOneMebibyte() throws IOException {
        Path big = dir.resolve("bundle.crt");
        String certificate = Pem.encode(pki.root().certificate());
        StringBuilder content = new StringBuilder();
        while (content.length() <= 1 << 20) {
            content.append(certificate);
        }
        Files.writeString(big, content, US_ASCII);

        assertThatThrownBy(() -> PemFiles.readCertificates(big))
                .isInstanceOf(PemException.class)
                .hasMessage(big + ": " + content.length() + " bytes (expected a PEM file under 1 MiB)");
    }

    @Test
    void aFileOfExactlyOneMebibyteIsRead() throws IOException {
        Path file = dir.resolve("bundle.crt");
        String certificate = Pem.encode(pki.root().certificate());
        StringBuilder content = new StringBuilder(certificate);
        content.append("\n".repeat((1 << 20) - certificate.length()));
        Files.writeString(file, content, US_ASCII);
        assertThat(Files.size(file)).isEqualTo(1 << 20);

        assertThat(PemFiles.readCertificates(file)).containsExactly(pki.root().certificate());
    }

    private static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
