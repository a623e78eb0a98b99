package dev.isthmus.identity.ca;

import static dev.isthmus.identity.ca.CertificateFacts.authorityKeyId;
import static dev.isthmus.identity.ca.CertificateFacts.basicConstraints;
import static dev.isthmus.identity.ca.CertificateFacts.extension;
import static dev.isthmus.identity.ca.CertificateFacts.isP256;
import static dev.isthmus.identity.ca.CertificateFacts.sha1KeyId;
import static dev.isthmus.identity.ca.CertificateFacts.subjectKeyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.Openssl;
import dev.isthmus.identity.testing.OpensslCa;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CertificateAuthorityTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String KEY_CERT_SIGN_AND_CRL_SIGN = "[false, false, false, false, false, true, true, false, false]";

    @TempDir
    Path dir;

    @Test
    void createRootMakesASelfSignedP256CaThatMaySignIssuers() throws Exception {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(3650), CLOCK);
        X509Certificate certificate = root.certificate();

        assertThat(root.chain()).containsExactly(certificate);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=root.isthmus.cluster.local");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(isP256(certificate)).as("EC P-256 key").isTrue();
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(basicConstraints(certificate).isCA()).isTrue();
        assertThat(basicConstraints(certificate).getPathLenConstraint()).isEqualTo(BigInteger.ONE);
        assertThat(certificate.getBasicConstraints()).isEqualTo(1);
        assertThat(Arrays.toString(certificate.getKeyUsage())).isEqualTo(KEY_CERT_SIGN_AND_CRL_SIGN);
        assertThat(certificate.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(subjectKeyId(certificate)).isEqualTo(sha1KeyId(certificate));
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
        assertThat(certificate.getSerialNumber()).isPositive();
        assertThat(certificate.getSerialNumber().bitLength()).isLessThanOrEqualTo(159);
        assertThatCode(() -> root.check(NOW, "root")).doesNotThrowAnyException();
    }

    @Test
    void everyCaGetsItsOwnKeyAndSerial() {
        CertificateAuthority a = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(1), CLOCK);
        CertificateAuthority b = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(1), CLOCK);

        assertThat(a.certificate().getPublicKey()).isNotEqualTo(b.certificate().getPublicKey());
        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    }

    @Test
    void createRootChecksTheTrustDomain() {
        assertThatThrownBy(() -> CertificateAuthority.createRoot("Cluster_Local", Duration.ofDays(1), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trust domain 'Cluster_Local' is invalid"
                        + " (expected: lower-case DNS labels separated by dots, such as cluster.local)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "-PT1H"})
    void createRootAndCreateIssuerNeedAPositiveLifetime(String lifetime) {
        Duration duration = Duration.parse(lifetime);
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(1), CLOCK);

        assertThatThrownBy(() -> CertificateAuthority.createRoot("cluster.local", duration, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lifetime: " + duration + " (expected: a positive duration)");
        assertThatThrownBy(() -> root.createIssuer("cluster.local", duration, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lifetime: " + duration + " (expected: a positive duration)");
    }

    @Test
    void createIssuerMakesAnIntermediateThatMaySignOnlyLeaves() throws Exception {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(3650), CLOCK);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(365), CLOCK);
        X509Certificate certificate = issuer.certificate();

        assertThat(issuer.chain()).as("the chain stops below the self-signed root").containsExactly(certificate);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=identity.isthmus.cluster.local");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(root.certificate().getSubjectX500Principal());
        certificate.verify(root.certificate().getPublicKey());
        assertThat(isP256(certificate)).as("EC P-256 key").isTrue();
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(basicConstraints(certificate).isCA()).isTrue();
        assertThat(basicConstraints(certificate).getPathLenConstraint()).isEqualTo(BigInteger.ZERO);
        assertThat(Arrays.toString(certificate.getKeyUsage())).isEqualTo(KEY_CERT_SIGN_AND_CRL_SIGN);
        assertThat(certificate.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(subjectKeyId(certificate)).isEqualTo(sha1KeyId(certificate));
        assertThat(authorityKeyId(certificate)).isEqualTo(subjectKeyId(root.certificate()));
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
        assertThat(issuer.key()).isNotEqualTo(root.key());
        assertThatCode(() -> Keys.checkMatches(issuer.key(), certificate, "issuer")).doesNotThrowAnyException();
    }

    @Test
    void anIssuerNeverOutlivesItsRoot() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), CLOCK);

        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(365), CLOCK);

        assertThat(issuer.certificate().getNotAfter()).isEqualTo(root.certificate().getNotAfter());
        assertThat(issuer.notAfter()).isEqualTo(NOW.plus(Duration.ofDays(10)));
    }

    @Test
    void anIssuerNeverStartsBeforeItsRoot() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), CLOCK);
        // The issuer is made by a clock 30 s behind the root's: backdating it a minute would predate the root.
        Clock behind = Clock.offset(CLOCK, Duration.ofSeconds(-30));

        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(1), behind);

        assertThat(issuer.certificate().getNotBefore()).isEqualTo(root.certificate().getNotBefore());
    }

    @Test
    void anExpiredRootCannotCreateAnIssuer() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), CLOCK);
        Instant later = NOW.plus(Duration.ofDays(11));

        assertThatThrownBy(() -> root.createIssuer("cluster.local", Duration.ofDays(1), Clock.fixed(later, ZoneOffset.UTC)))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("the signing CA: 'CN=root.isthmus.cluster.local' expired at " + NOW.plus(Duration.ofDays(10))
                        + " (it is " + later + ")");
    }

    @Test
    void checkRejectsAnAuthorityBeforeAndAfterItsValidity() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), CLOCK);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(2), CLOCK);
        Instant notBefore = NOW.minus(Duration.ofMinutes(1));
        Instant notAfter = NOW.plus(Duration.ofDays(2));

        assertThatCode(() -> issuer.check(notBefore, "issuer")).doesNotThrowAnyException();
        assertThatCode(() -> issuer.check(notAfter, "issuer")).doesNotThrowAnyException();
        assertThatThrownBy(() -> issuer.check(notBefore.minusSeconds(1), "issuer.crt"))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("issuer.crt: 'CN=identity.isthmus.cluster.local' is not valid before " + notBefore
                        + " (it is " + notBefore.minusSeconds(1) + ")");
        assertThatThrownBy(() -> issuer.check(notAfter.plusSeconds(1), "issuer.crt"))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("issuer.crt: 'CN=identity.isthmus.cluster.local' expired at " + notAfter
                        + " (it is " + notAfter.plusSeconds(1) + ")");
    }

    @Test
    void checkRejectsAKeyThatIsNotTheCertificates() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), CLOCK);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(2), CLOCK);
        CertificateAuthority mismatched = new CertificateAuthority(issuer.chain(), root.key());

        assertThatThrownBy(() -> mismatched.check(NOW, "issuer.crt with issuer.key"))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("issuer.crt with issuer.key: the key does not match the certificate"
                        + " 'CN=identity.isthmus.cluster.local' (expected the key the certificate was made for)");
    }

    @Test
    void anAuthorityNeedsACertificate() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(1), CLOCK);

        assertThatThrownBy(() -> new CertificateAuthority(List.of(), root.key()))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("no CA certificate (expected the CA certificate first in the file)");
    }

    @Test
    void whatItWritesLoadsBack() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), CLOCK);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(2), CLOCK);
        PemFiles.write(List.of(Output.key(dir.resolve("issuer.key"), issuer.key()),
                Output.certificates(dir.resolve("issuer.crt"), List.of(issuer.certificate(), root.certificate()))), false);

        CertificateAuthority loaded = CertificateAuthority.load(dir.resolve("issuer.crt"), dir.resolve("issuer.key"), NOW);

        assertThat(loaded.chain()).as("the root is dropped").containsExactly(issuer.certificate());
        assertThat(loaded.key().getEncoded()).isEqualTo(issuer.key().getEncoded());
    }

    @Test
    void loadsAnOpensslRootAndIssuerAndSignsLeavesOpensslVerifies() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.issuer(openssl, "issuer", "root", 30);
        openssl.write("issuer-bundle.crt", openssl.read("issuer.crt") + openssl.read("root.crt"));

        CertificateAuthority issuer = CertificateAuthority.load(dir.resolve("issuer.crt"), dir.resolve("issuer.key"), Instant.now());
        CertificateAuthority fromBundle =
                CertificateAuthority.load(dir.resolve("issuer-bundle.crt"), dir.resolve("issuer.key"), Instant.now());
        IssuedCertificate leaf = new LeafIssuer(issuer, Clock.systemUTC())
                .issue(Keys.generateP256().getPublic(), new SpiffeId("cluster.local", "emojivoto", "web"));
        openssl.write("leaf.crt", Pem.encode(leaf.leaf()));

        assertThat(issuer.chain()).extracting(c -> c.getSubjectX500Principal().getName()).containsExactly("CN=issuer");
        assertThat(fromBundle.chain()).isEqualTo(issuer.chain());
        assertThat(leaf.intermediates()).isEqualTo(issuer.chain());
        assertThat(openssl.run("verify", "-CAfile", "root.crt", "-untrusted", "issuer.crt", "leaf.crt"))
                .isEqualTo("leaf.crt: OK\n");
    }

    @Test
    void anOpensslRsaRootWorksAsACa() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.rsaRoot(openssl, "rsa-root", 30);
        CertificateAuthority root = CertificateAuthority.load(dir.resolve("rsa-root.crt"), dir.resolve("rsa-root.key"), Instant.now());
        SpiffeId web = new SpiffeId("cluster.local", "emojivoto", "web");

        IssuedCertificate direct = new LeafIssuer(root, Clock.systemUTC()).issue(Keys.generateP256().getPublic(), web);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(1), Clock.systemUTC());
        IssuedCertificate underIssuer = new LeafIssuer(issuer, Clock.systemUTC()).issue(Keys.generateP256().getPublic(), web);
        openssl.write("direct.crt", Pem.encode(direct.leaf()));
        openssl.write("issuer.crt", Pem.encode(issuer.certificate()));
        openssl.write("leaf.crt", Pem.encode(underIssuer.leaf()));

        assertThat(direct.leaf().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(direct.intermediates()).as("a root signing leaves sends no intermediates").isEmpty();
        assertThat(issuer.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(isP256(issuer.certificate())).isTrue();
        assertThat(issuer.chain()).containsExactly(issuer.certificate());
        assertThat(underIssuer.leaf().getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(openssl.run("verify", "-CAfile", "rsa-root.crt", "direct.crt")).isEqualTo("direct.crt: OK\n");
        assertThat(openssl.run("verify", "-CAfile", "rsa-root.crt", "-untrusted", "issuer.crt", "leaf.crt"))
                .isEqualTo("leaf.crt: OK\n");
    }

    @Test
    void loadRejectsAKeyThatDoesNotMatchTheCertificate() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.issuer(openssl, "issuer", "root", 30);
        Path certificate = dir.resolve("issuer.crt");
        Path key = dir.resolve("root.key");

        assertThatThrownBy(() -> CertificateAuthority.load(certificate, key, Instant.now()))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage(certificate + " with " + key + ": the key does not match the certificate 'CN=issuer'"
                        + " (expected the key the certificate was made for)");
    }

    @Test
    void loadRejectsAKeyOfAnotherType() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.rsaRoot(openssl, "rsa-root", 30);
        Path certificate = dir.resolve("root.crt");
        Path key = dir.resolve("rsa-root.key");

        assertThatThrownBy(() -> CertificateAuthority.load(certificate, key, Instant.now()))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage(certificate + " with " + key + ": the key is RSA but the certificate holds a EC key"
                        + " (expected the matching key)");
    }

    @Test
    void loadRejectsACertificateThatIsNotACa() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.signed(openssl, "server", "root", 30, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
        Path certificate = dir.resolve("server.crt");

        assertThatThrownBy(() -> CertificateAuthority.load(certificate, dir.resolve("server.key"), Instant.now()))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage(certificate + " with " + dir.resolve("server.key")
                        + ": 'CN=server' is not a CA certificate (expected basicConstraints CA:TRUE)");
    }

    @Test
    void loadRejectsACertificateWithoutBasicConstraints() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.signed(openssl, "plain", "root", 30, "keyUsage=critical,keyCertSign\n");
        Path certificate = dir.resolve("plain.crt");

        assertThatThrownBy(() -> CertificateAuthority.load(certificate, dir.resolve("plain.key"), Instant.now()))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessageEndingWith(": 'CN=plain' is not a CA certificate (expected basicConstraints CA:TRUE)");
    }

    @Test
    void loadRejectsACaThatMayNotSignCertificates() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.signed(openssl, "crl-signer", "root", 30, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,cRLSign\n");
        Path certificate = dir.resolve("crl-signer.crt");

        assertThatThrownBy(() -> CertificateAuthority.load(certificate, dir.resolve("crl-signer.key"), Instant.now()))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage(certificate + " with " + dir.resolve("crl-signer.key")
                        + ": 'CN=crl-signer' may not sign certificates (expected keyUsage keyCertSign)");
    }

    @Test
    void loadRejectsAnExpiredIssuer() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.issuer(openssl, "issuer", "root", 30);
        Instant notAfter = PemFiles.readCertificates(dir.resolve("issuer.crt")).get(0).getNotAfter().toInstant();
        Instant later = notAfter.plus(Duration.ofDays(1));

        assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("issuer.crt"), dir.resolve("issuer.key"), later))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessageEndingWith(": 'CN=issuer' expired at " + notAfter + " (it is " + later + ")")
                .hasMessageStartingWith(dir.resolve("issuer.crt") + " with " + dir.resolve("issuer.key"));
    }

    @Test
    void loadRejectsAnIssuerThatIsNotValidYet() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.issuer(openssl, "issuer", "root", 30);
        Instant notBefore = PemFiles.readCertificates(dir.resolve("issuer.crt")).get(0).getNotBefore().toInstant();
        Instant earlier = notBefore.minus(Duration.ofHours(1));

        assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("issuer.crt"), dir.resolve("issuer.key"), earlier))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessageEndingWith(": 'CN=issuer' is not valid before " + notBefore + " (it is " + earlier + ")");
    }

    @Test
    void loadRejectsAnIssuerWhoseIntermediateExpired() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        openssl.run("x509", "-req", "-in", writeCsr(openssl, "intermediate"), "-CA", "root.crt", "-CAkey", "root.key",
                "-CAcreateserial", "-days", "1", "-extfile", extfile(openssl, "intermediate",
                        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n"), "-out", "intermediate.crt");
        OpensslCa.issuer(openssl, "issuer", "intermediate", 30);
        openssl.write("chain.crt", openssl.read("issuer.crt") + openssl.read("intermediate.crt") + openssl.read("root.crt"));
        Instant intermediateExpiry = PemFiles.readCertificates(dir.resolve("intermediate.crt")).get(0).getNotAfter().toInstant();
        Instant later = intermediateExpiry.plus(Duration.ofHours(1));

        CertificateAuthority now = CertificateAuthority.load(dir.resolve("chain.crt"), dir.resolve("issuer.key"), Instant.now());
        assertThat(now.chain()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=issuer", "CN=intermediate");
        assertThat(now.notAfter()).isEqualTo(intermediateExpiry);
        assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("chain.crt"), dir.resolve("issuer.key"), later))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessageEndingWith(": 'CN=intermediate' expired at " + intermediateExpiry + " (it is " + later + ")");
    }

    @Test
    void loadNamesAMissingFile() {
        Path missing = dir.resolve("issuer.crt");

        assertThatThrownBy(() -> CertificateAuthority.load(missing, dir.resolve("issuer.key"), NOW))
                .isInstanceOf(PemException.class)
                .hasMessage(missing + ": no such file");
    }

    @Test
    void isSelfSignedTellsRootsFromIssuers() {
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(1), CLOCK);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(1), CLOCK);

        assertThat(CertificateAuthority.isSelfSigned(root.certificate())).isTrue();
        assertThat(CertificateAuthority.isSelfSigned(issuer.certificate())).isFalse();
        assertThat(extension(issuer.certificate(), Extension.authorityKeyIdentifier)).isNotNull();
    }

    private static String writeCsr(Openssl openssl, String name) {
        openssl.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        openssl.run("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
        return name + ".csr";
    }

    private static String extfile(Openssl openssl, String name, String extensions) {
        openssl.write(name + ".ext", extensions);
        return name + ".ext";
    }
}
