package dev.isthmus.identity.pem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.testing.Openssl;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading what {@code openssl} writes, and refusing what is not the expected PEM with a message that says so. */
class PemTest {

    @TempDir
    static Path dir;
    static Openssl openssl;

    @BeforeAll
    static void makeKeysAndCertificatesWithOpenssl() {
        openssl = new Openssl(dir);
        openssl.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec-pkcs8.key");
        openssl.run("ec", "-in", "ec-pkcs8.key", "-out", "ec-sec1.key");
        openssl.run("ecparam", "-genkey", "-name", "prime256v1", "-out", "ec-params.key");
        openssl.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "ec384.key");
        openssl.run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa-pkcs8.key");
        openssl.run("rsa", "-in", "rsa-pkcs8.key", "-traditional", "-out", "rsa-pkcs1.key");
        openssl.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-aes256", "-pass", "pass:secret", "-out", "encrypted-pkcs8.key");
        openssl.run("ec", "-in", "ec-pkcs8.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted-sec1.key");
        for (String key : List.of("ec-pkcs8", "ec-sec1", "ec-params", "ec384", "rsa-pkcs8", "rsa-pkcs1")) {
            openssl.run("req", "-x509", "-key", key + ".key", "-subj", "/CN=" + key, "-days", "2", "-out", key + ".crt");
        }
        openssl.run("req", "-new", "-key", "ec-pkcs8.key", "-subj", "/CN=request", "-out", "request.csr");
    }

    @ParameterizedTest
    @CsvSource({
        "ec-pkcs8,  -----BEGIN PRIVATE KEY-----,    EC",
        "ec-sec1,   -----BEGIN EC PRIVATE KEY-----, EC",
        "ec-params, -----BEGIN EC PARAMETERS-----,  EC",
        "ec384,     -----BEGIN PRIVATE KEY-----,    EC",
        "rsa-pkcs8, -----BEGIN PRIVATE KEY-----,    RSA",
        "rsa-pkcs1, -----BEGIN RSA PRIVATE KEY-----, RSA",
    })
    void readsThePrivateKeysOpensslWrites(String name, String firstLine, String algorithm) {
        String pem = openssl.read(name + ".key");
        assertThat(pem).startsWith(firstLine);

        PrivateKey key = Pem.privateKey(pem, name + ".key");

        assertThat(key.getAlgorithm()).isEqualTo(algorithm);
        assertThat(key).isInstanceOf(algorithm.equals("EC") ? ECPrivateKey.class : RSAPrivateKey.class);
        // The key is the one openssl put in the certificate: it signs what that certificate's key verifies.
        X509Certificate certificate = Pem.certificates(openssl.read(name + ".crt"), name + ".crt").get(0);
        Keys.checkMatches(key, certificate, name);
    }

    @Test
    void anEcParametersBlockBeforeTheKeyIsSkipped() {
        String pem = openssl.read("ec-params.key");
        assertThat(pem).contains("-----BEGIN EC PARAMETERS-----").contains("-----BEGIN EC PRIVATE KEY-----");

        ECPrivateKey key = (ECPrivateKey) Pem.privateKey(pem, "ec-params.key");

        assertThat(key.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"encrypted-pkcs8.key", "encrypted-sec1.key"})
    void refusesAnEncryptedKeyAndSaysHowToDecryptIt(String name) {
        assertThatThrownBy(() -> Pem.privateKey(openssl.read(name), name))
                .isInstanceOf(PemException.class)
                .hasMessage(name + ": the private key is encrypted (expected an unencrypted key;"
                        + " decrypt it with 'openssl pkey -in KEY -out KEY.plain')");
    }

    @Test
    void readsACertificate() {
        List<X509Certificate> certificates = Pem.certificates(openssl.read("ec-pkcs8.crt"), "ec-pkcs8.crt");

        assertThat(certificates).singleElement()
                .satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=ec-pkcs8"));
    }

    @Test
    void readsABundleOfSeveralRootsInOrder() {
        String bundle = openssl.read("ec-pkcs8.crt") + openssl.read("rsa-pkcs8.crt") + openssl.read("ec384.crt");

        List<X509Certificate> roots = Pem.certificates(bundle, "bundle.crt");

        assertThat(roots).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=ec-pkcs8", "CN=rsa-pkcs8", "CN=ec384");
    }

    @Test
    void ignoresTheTextOpensslPrintsBeforeABlock() {
        String withText = openssl.run("x509", "-in", "ec-sec1.crt", "-text");
        assertThat(withText).startsWith("Certificate:");

        assertThat(Pem.certificates(withText, "text.crt")).singleElement()
                .satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=ec-sec1"));
    }

    @Test
    void encodedCertificatesAndKeysReadBack() {
        X509Certificate certificate = Pem.certificates(openssl.read("ec-pkcs8.crt"), "ec-pkcs8.crt").get(0);
        PrivateKey key = Pem.privateKey(openssl.read("ec-sec1.key"), "ec-sec1.key");

        String encodedKey = Pem.encode(key);

        assertThat(encodedKey).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Pem.privateKey(encodedKey, "encoded").getEncoded()).isEqualTo(key.getEncoded());
        assertThat(Pem.certificates(Pem.encode(List.of(certificate, certificate)), "encoded"))
                .containsExactly(certificate, certificate);
    }

    @Test
    void readsACertificateRequest() {
        PKCS10CertificationRequest csr = Pem.certificateRequest(openssl.read("request.csr"), "request.csr");

        assertThat(csr.getSubject().toString()).isEqualTo("CN=request");
        assertThat(Pem.certificateRequest(Pem.encode(csr), "encoded")).isEqualTo(csr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "hello, world\n", "MIIBszCCAVmgAwIBAgIUJ\n"})
    void garbageHasNoCertificate(String garbage) {
        assertThatThrownBy(() -> Pem.certificates(garbage, "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: no PEM CERTIFICATE block found (expected '-----BEGIN CERTIFICATE-----')");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hello, world\n"})
    void garbageHasNoKey(String garbage) {
        assertThatThrownBy(() -> Pem.privateKey(garbage, "ca.key"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.key: no PEM private key block found"
                        + " (expected '-----BEGIN PRIVATE KEY-----' or '-----BEGIN EC PRIVATE KEY-----')");
    }

    @Test
    void garbageHasNoCertificateRequest() {
        assertThatThrownBy(() -> Pem.certificateRequest("hello", "leaf.csr"))
                .isInstanceOf(PemException.class)
                .hasMessage("leaf.csr: expected exactly one CERTIFICATE REQUEST block, found none");
    }

    @Test
    void aCertificateWithLinesMissingIsMalformed() {
        List<String> lines = openssl.read("ec-pkcs8.crt").lines().toList();
        String truncated = String.join("\n", lines.subList(0, lines.size() - 3)) + "\n" + lines.get(lines.size() - 1) + "\n";

        assertThatThrownBy(() -> Pem.certificates(truncated, "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessageStartingWith("ca.crt: malformed PEM: problem parsing certificate: ")
                .hasMessageContaining("out of bounds length");
    }

    @Test
    void truncatedBase64IsMalformed() {
        String truncated = openssl.read("ec-pkcs8.crt").replaceFirst("(.)\n-----END", "\n-----END");

        assertThatThrownBy(() -> Pem.certificates(truncated, "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: malformed PEM: malformed PEM data: unable to decode base64 string:"
                        + " truncated final block in base64 data");
    }

    @Test
    void aBlockWithoutItsEndLineIsMalformed() {
        String pem = openssl.read("ec-pkcs8.crt");
        String unterminated = pem.substring(0, pem.indexOf("-----END"));

        assertThatThrownBy(() -> Pem.certificates(unterminated, "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: malformed PEM: -----END CERTIFICATE----- not found");
    }

    @Test
    void aBlockWithInvalidBase64IsMalformed() {
        String pem = openssl.read("ec-pkcs8.crt").replaceFirst("\n(.)", "\n!");

        assertThatThrownBy(() -> Pem.certificates(pem, "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: malformed PEM: malformed PEM data: unable to decode base64 string:"
                        + " invalid characters encountered in base64 data");
    }

    @Test
    void aKeyWhereACertificateIsExpected() {
        assertThatThrownBy(() -> Pem.certificates(openssl.read("ec-pkcs8.key"), "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: found a private key block where a CERTIFICATE block was expected");
    }

    @Test
    void aCertificateFollowedByAKeyWhereOnlyCertificatesAreExpected() {
        String both = openssl.read("ec-pkcs8.crt") + openssl.read("ec-sec1.key");

        assertThatThrownBy(() -> Pem.certificates(both, "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: found a private key block where a CERTIFICATE block was expected");
    }

    @Test
    void aRequestWhereACertificateIsExpected() {
        assertThatThrownBy(() -> Pem.certificates(openssl.read("request.csr"), "ca.crt"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.crt: found a CERTIFICATE REQUEST block where a CERTIFICATE block was expected");
    }

    @Test
    void aCertificateWhereAKeyIsExpected() {
        assertThatThrownBy(() -> Pem.privateKey(openssl.read("ec-pkcs8.crt"), "ca.key"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.key: found a CERTIFICATE block where a PRIVATE KEY or EC PRIVATE KEY block was expected");
    }

    @Test
    void aCertificateWhereARequestIsExpected() {
        assertThatThrownBy(() -> Pem.certificateRequest(openssl.read("ec-pkcs8.crt"), "leaf.csr"))
                .isInstanceOf(PemException.class)
                .hasMessage("leaf.csr: expected exactly one CERTIFICATE REQUEST block, found [a CERTIFICATE block]");
    }

    @Test
    void twoKeysInOneFile() {
        String two = openssl.read("ec-pkcs8.key") + openssl.read("ec-sec1.key");

        assertThatThrownBy(() -> Pem.privateKey(two, "ca.key"))
                .isInstanceOf(PemException.class)
                .hasMessage("ca.key: holds more than one private key (expected exactly one)");
    }

    @Test
    void aKeyEncodingThatIsNotPkcs8CannotBeWritten() {
        PrivateKey raw = new PrivateKey() {
            @Override
            public String getAlgorithm() {
                return "EC";
            }

            @Override
            public String getFormat() {
                return "RAW";
            }

            @Override
            public byte[] getEncoded() {
                return new byte[32];
            }
        };

        assertThatThrownBy(() -> Pem.encode(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key format RAW (expected: PKCS#8)");
    }

    @Test
    void derThatIsNotACertificate() {
        assertThatThrownBy(() -> Pem.toX509(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, "leaf.der"))
                .isInstanceOf(PemException.class)
                .hasMessageStartingWith("leaf.der: not a valid X.509 certificate: ");
    }
}
