package dev.isthmus.identity.ca;

import static dev.isthmus.identity.ca.CertificateFacts.authorityKeyId;
import static dev.isthmus.identity.ca.CertificateFacts.basicConstraints;
import static dev.isthmus.identity.ca.CertificateFacts.isP256;
import static dev.isthmus.identity.ca.CertificateFacts.subjectKeyId;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.testing.Openssl;
import dev.isthmus.identity.testing.OpensslCa;
import dev.isthmus.identity.testing.TestPki;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeafIssuerTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final SpiffeId WEB = new SpiffeId("cluster.local", "emojivoto", "web");
    private static final SpiffeId VOTING = new SpiffeId("cluster.local", "emojivoto", "voting");
    private static final String EXPECTED_SANS = "(expected: exactly one URI SAN spiffe://<td>/ns/<ns>/sa/<sa>"
            + " and the one DNS SAN <sa>.<ns>.serviceaccount.identity.isthmus.<td>)";

    private static TestPki pki;
    private static LeafIssuer issuer;
    private static LeafIssuer fallback;

    @TempDir
    Path dir;

    @BeforeAll
    static void createPki() {
        pki = TestPki.at(NOW);
        issuer = pki.leafIssuer();
        fallback = new LeafIssuer(pki.issuer(), LeafIssuer.DEFAULT_LIFETIME, LeafIssuer.DEFAULT_CLOCK_SKEW, pki.clock(),
                SignatureProviders.bouncyCastle());
    }

    @Test
    void theLeafCarriesTheIdentityAsUriAndDnsSan() throws Exception {
        KeyPair keys = Keys.generateP256();

        IssuedCertificate issued = issuer.issue(CertificateRequests.create(keys, WEB), WEB);
        X509Certificate leaf = issued.leaf();

        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(
                List.of(6, "spiffe://cluster.local/ns/emojivoto/sa/web"),
                List.of(2, "web.emojivoto.serviceaccount.identity.isthmus.cluster.local"));
        assertThat(leaf.getSubjectX500Principal().getName())
                .isEqualTo("CN=web.emojivoto.serviceaccount.identity.isthmus.cluster.local");
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(isP256(leaf)).isTrue();
    }

    @Test
    void anIdentityWhoseDnsNameIsTooLongForACommonNameGetsAnEmptySubjectAndCriticalSans() throws Exception {
        SpiffeId gateway = new SpiffeId("cluster.local", "isthmus-multicluster", "isthmus-gateway");
        assertThat(gateway.dnsName()).hasSizeGreaterThan(64);

        X509Certificate leaf = issuer.issue(CertificateRequests.create(Keys.generateP256(), gateway), gateway).leaf();

        assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
        assertThat(leaf.getCriticalExtensionOIDs()).contains(Extension.subjectAlternativeName.getId());
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(
                List.of(6, gateway.toString()), List.of(2, gateway.dnsName()));
        assertThatCode(() -> pki.anchors().verify(List.of(leaf, pki.issuer().certificate()), NOW)).doesNotThrowAnyException();
    }

    @Test
    void anIdentityWhoseDnsNameFitsKeepsItAsCommonNameWithNonCriticalSans() {
        String sa = "s".repeat(64 - ".ns.serviceaccount.identity.isthmus.cluster.local".length());
        SpiffeId longest = new SpiffeId("cluster.local", "ns", sa);
        assertThat(longest.dnsName()).hasSize(64);

        X509Certificate leaf = issuer.issue(Keys.generateP256().getPublic(), longest).leaf();

        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=" + longest.dnsName());
        assertThat(leaf.getNonCriticalExtensionOIDs()).contains(Extension.subjectAlternativeName.getId());
    }

    @Test
    void theLeafIsAnEndEntityForTlsClientsAndServers() throws Exception {
        X509Certificate leaf = issuer.issue(CertificateRequests.create(Keys.generateP256(), WEB), WEB).leaf();

        assertThat(basicConstraints(leaf).isCA()).as("CA:FALSE").isFalse();
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(Arrays.toString(leaf.getKeyUsage()))
                .as("digitalSignature only")
                .isEqualTo("[true, false, false, false, false, false, false, false, false]");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    }

    @Test
    void theLeafIsSignedByTheIssuerAndSentWithItsChain() throws Exception {
        X509Certificate leaf = issuer.issue(CertificateRequests.create(Keys.generateP256(), WEB), WEB).leaf();
        IssuedCertificate issued = issuer.issue(CertificateRequests.create(Keys.generateP256(), WEB), WEB);

        leaf.verify(pki.issuer().certificate().getPublicKey());
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(pki.issuer().certificate().getSubjectX500Principal());
        assertThat(authorityKeyId(leaf)).isEqualTo(subjectKeyId(pki.issuer().certificate()));
        assertThat(issued.intermediates()).containsExactly(pki.issuer().certificate());
        assertThat(issued.chain()).containsExactly(issued.leaf(), pki.issuer().certificate());
        assertThat(issued.leaf().getSerialNumber()).isPositive().isNotEqualTo(leaf.getSerialNumber());
        assertThat(Pem.certificates(issued.toPem(), "leaf.crt")).isEqualTo(issued.chain());
    }

    @Test
    void byDefaultTheLeafLasts24HoursFrom20SecondsAgo() {
        IssuedCertificate issued = issuer.issue(CertificateRequests.create(Keys.generateP256(), WEB), WEB);

        assertThat(issued.leaf().getNotBefore().toInstant()).isEqualTo(NOW.minusSeconds(20));
        assertThat(issued.leaf().getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(issued.notAfter()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(LeafIssuer.DEFAULT_LIFETIME).isEqualTo(Duration.ofHours(24));
        assertThat(LeafIssuer.DEFAULT_CLOCK_SKEW).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void lifetimeAndSkewAreConfigurable() {
        Instant aDayLater = NOW.plus(Duration.ofDays(1));
        LeafIssuer shortLived = new LeafIssuer(pki.issuer(), Duration.ofHours(1), Duration.ofMinutes(5),
                Clock.fixed(aDayLater, ZoneOffset.UTC));

        IssuedCertificate issued = shortLived.issue(Keys.generateP256().getPublic(), WEB);

        assertThat(issued.leaf().getNotBefore().toInstant()).isEqualTo(aDayLater.minus(Duration.ofMinutes(5)));
        assertThat(issued.leaf().getNotAfter().toInstant()).isEqualTo(aDayLater.plus(Duration.ofHours(1)));
    }

    @Test
    void theLeafNeverOutlivesTheIssuer() {
        Instant issuerExpiry = pki.issuer().certificate().getNotAfter().toInstant();
        Clock anHourBefore = Clock.fixed(issuerExpiry.minus(Duration.ofHours(1)), ZoneOffset.UTC);

        IssuedCertificate issued = new LeafIssuer(pki.issuer(), anHourBefore).issue(Keys.generateP256().getPublic(), WEB);

        assertThat(issued.leaf().getNotAfter().toInstant()).isEqualTo(issuerExpiry);
    }

    @Test
    void theLeafNeverOutlivesTheEarliestExpiryInTheIssuersChain() {
        Openssl openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 30);
        OpensslCa.signed(openssl, "intermediate", "root", 1, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n");
        OpensslCa.issuer(openssl, "issuer", "intermediate", 30);
        openssl.write("chain.crt", openssl.read("issuer.crt") + openssl.read("intermediate.crt"));
        X509Certificate intermediate = PemFiles.readCertificates(dir.resolve("intermediate.crt")).get(0);
        Instant halfway = intermediate.getNotBefore().toInstant().plus(Duration.ofHours(12));
        CertificateAuthority authority = CertificateAuthority.load(dir.resolve("chain.crt"), dir.resolve("issuer.key"), halfway);

        IssuedCertificate issued = new LeafIssuer(authority, Clock.fixed(halfway, ZoneOffset.UTC))
                .issue(Keys.generateP256().getPublic(), WEB);

        assertThat(issued.leaf().getNotAfter()).isEqualTo(intermediate.getNotAfter());
        assertThat(issued.intermediates()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=issuer", "CN=intermediate");
    }

    @Test
    void theLeafNeverStartsBeforeTheIssuer() {
        Instant issuerStart = pki.issuer().certificate().getNotBefore().toInstant();
        Clock justAfter = Clock.fixed(issuerStart.plusSeconds(5), ZoneOffset.UTC);

        IssuedCertificate issued = new LeafIssuer(pki.issuer(), justAfter).issue(Keys.generateP256().getPublic(), WEB);

        assertThat(issued.leaf().getNotBefore().toInstant()).isEqualTo(issuerStart);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://cluster.local/ns/emojivoto/sa/web",
        "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"})
    void opensslShowsBothSansAndVerifiesTheChainForClientAndServerUse(String identity) {
        SpiffeId id = SpiffeId.parse(identity);
        TestPki live = TestPki.create();
        IssuedCertificate issued = live.workload(id).certificate();
        Openssl openssl = new Openssl(dir);
        openssl.write("root.crt", Pem.encode(live.root().certificate()));
        openssl.write("issuer.crt", Pem.encode(issued.intermediates()));
        openssl.write("leaf.crt", Pem.encode(issued.leaf()));

        String text = openssl.run("x509", "-in", "leaf.crt", "-noout", "-text");

        assertThat(text)
                .contains("URI:" + id)
                .contains("DNS:" + id.dnsName())
                .contains("CA:FALSE")
                .contains("Digital Signature")
                .contains("TLS Web Server Authentication, TLS Web Client Authentication")
                .contains("ASN1 OID: prime256v1");
        for (String purpose : List.of("sslserver", "sslclient")) {
            assertThat(openssl.run("verify", "-x509_strict", "-purpose", purpose,
                    "-CAfile", "root.crt", "-untrusted", "issuer.crt", "leaf.crt"))
                    .isEqualTo("leaf.crt: OK\n");
        }
        assertThat(openssl.exec("verify", "-CAfile", "issuer.crt", "leaf.crt").ok())
                .as("the issuer alone is not a trust anchor").isFalse();
    }

    @Test
    void signsARequestMadeWithOpenssl() {
        Openssl openssl = new Openssl(dir);
        openssl.run("ecparam", "-genkey", "-name", "prime256v1", "-out", "web.key");
        openssl.run("req", "-new", "-key", "web.key", "-subj", "/O=ignored", "-addext",
                "subjectAltName=URI:" + WEB + ",DNS:" + WEB.dnsName(), "-out", "web.csr");
        PKCS10CertificationRequest csr = Pem.certificateRequest(openssl.read("web.csr"), "web.csr");

        IssuedCertificate issued = issuer.issue(csr, WEB);

        assertThat(issued.leaf().getSubjectX500Principal().getName()).as("the requested subject is ignored")
                .isEqualTo("CN=" + WEB.dnsName());
        openssl.write("issued.crt", Pem.encode(issued.leaf()));
        assertThat(openssl.run("x509", "-in", "issued.crt", "-noout", "-pubkey"))
                .isEqualTo(openssl.run("pkey", "-in", "web.key", "-pubout"));
    }

    @Test
    void signingAPublicKeyNeedsNoRequest() {
        KeyPair keys = Keys.generateP256();

        IssuedCertificate issued = issuer.issue(keys.getPublic(), VOTING);

        assertThat(issued.leaf().getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(issued.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=" + VOTING.dnsName());
    }

    @Test
    void aRequestForAnotherIdentityThanTheProvenOne() {
        PKCS10CertificationRequest forVoting = CertificateRequests.create(Keys.generateP256(), VOTING);

        assertThatThrownBy(() -> issuer.issue(forVoting, WEB))
                .isInstanceOf(IdentityMismatchException.class)
                .hasMessage("the request asks for spiffe://cluster.local/ns/emojivoto/sa/voting"
                        + " but the token proves spiffe://cluster.local/ns/emojivoto/sa/web");
    }

    @Test
    void aRequestWithOnlyTheUriSan() {
        PKCS10CertificationRequest csr = request(Keys.generateP256(), uri(WEB.toString()));

        assertRejected(csr, "the request has 1 URI and 0 DNS SANs " + EXPECTED_SANS);
    }

    @Test
    void aRequestWithOnlyTheDnsSan() {
        PKCS10CertificationRequest csr = request(Keys.generateP256(), dns(WEB.dnsName()));

        assertRejected(csr, "the request has 0 URI and 1 DNS SANs " + EXPECTED_SANS);
    }

    @Test
    void aRequestWhoseDnsSanIsAnotherIdentitys() {
        PKCS10CertificationRequest csr = request(Keys.generateP256(), uri(WEB.toString()), dns(VOTING.dnsName()));

        assertRejected(csr, "the request's DNS SAN '" + VOTING.dnsName() + "' is not the DNS form of " + WEB
                + " (expected: " + WEB.dnsName() + ")");
    }

    @Test
    void aRequestWithTwoUriSans() {
        PKCS10CertificationRequest csr =
                request(Keys.generateP256(), uri(WEB.toString()), uri(VOTING.toString()), dns(WEB.dnsName()));

        assertRejected(csr, "the request has 2 URI and 1 DNS SANs " + EXPECTED_SANS);
    }

    @Test
    void aRequestWithTwoDnsSans() {
        PKCS10CertificationRequest csr =
                request(Keys.generateP256(), uri(WEB.toString()), dns(WEB.dnsName()), dns("web.example.com"));

        assertRejected(csr, "the request has 1 URI and 2 DNS SANs " + EXPECTED_SANS);
    }

    @Test
    void aRequestWithAnIpSan() {
        PKCS10CertificationRequest csr = request(Keys.generateP256(),
                uri(WEB.toString()), dns(WEB.dnsName()), new GeneralName(GeneralName.iPAddress, "10.0.0.1"));

        assertRejected(csr, "the request has a SAN of type IP address " + EXPECTED_SANS);
    }

    @Test
    void aRequestWithAnEmailSan() {
        PKCS10CertificationRequest csr = request(Keys.generateP256(),
                uri(WEB.toString()), dns(WEB.dnsName()), new GeneralName(GeneralName.rfc822Name, "web@example.com"));

        assertRejected(csr, "the request has a SAN of type email " + EXPECTED_SANS);
    }

    @Test
    void aRequestWhoseUriSanIsNotAWorkloadIdentity() {
        PKCS10CertificationRequest csr =
                request(Keys.generateP256(), uri("spiffe://cluster.local/web"), dns(WEB.dnsName()));

        assertRejected(csr, "the request's URI SAN is not a workload identity: identity 'spiffe://cluster.local/web'"
                + " has an unexpected path (expected: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>)");
    }

    @Test
    void aRequestWithoutExtensions() throws Exception {
        KeyPair keys = Keys.generateP256();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=web"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));

        assertRejected(csr, "the request has no extension request " + EXPECTED_SANS);
    }

    @Test
    void aRequestWithExtensionsButNoSans() throws Exception {
        KeyPair keys = Keys.generateP256();
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=web"), keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));

        assertRejected(csr, "the request has no subject alternative names " + EXPECTED_SANS);
    }

    @Test
    void aRequestForAnRsaKey() {
        PKCS10CertificationRequest csr = request(generate("RSA", 2048), "SHA256withRSA", uri(WEB.toString()), dns(WEB.dnsName()));

        assertRejected(csr, "the request's key is RSA (expected: EC P-256)");
    }

    @Test
    void aRequestForAnEcP384Key() {
        PKCS10CertificationRequest csr =
                request(generate("EC", "secp384r1"), "SHA384withECDSA", uri(WEB.toString()), dns(WEB.dnsName()));

        assertRejected(csr, "the request's key is EC P-384 (expected: EC P-256)");
    }

    @Test
    void aRequestWhoseContentWasAlteredAfterSigning() throws Exception {
        byte[] der = CertificateRequests.create(Keys.generateP256(), WEB).getEncoded();
        // The first "emojivoto" is the subject's (the SANs come later); changing it leaves a request that
        // still asks for WEB, so only the signature can tell.
        int namespace = indexOf(der, "emojivoto".getBytes(US_ASCII));
        assertThat(namespace).isPositive().isLessThan(indexOf(der, WEB.toString().getBytes(US_ASCII)));
        der[namespace] = 'f';

        assertRejected(new PKCS10CertificationRequest(der), "the request's signature does not verify with its public key"
                + " (expected: signed by the key it asks a certificate for)");
    }

    @Test
    void aRequestWhoseSignatureWasAltered() throws Exception {
        byte[] der = CertificateRequests.create(Keys.generateP256(), WEB).getEncoded();
        der[der.length - 1] ^= 0x01;

        assertRejected(new PKCS10CertificationRequest(der), "the request's signature does not verify with its public key"
                + " (expected: signed by the key it asks a certificate for)");
    }

    @Test
    void aRequestSignedByAnotherKey() throws Exception {
        KeyPair requested = Keys.generateP256();
        KeyPair other = Keys.generateP256();
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                new GeneralName[] {uri(WEB.toString()), dns(WEB.dnsName())}));
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=web"), requested.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(other.getPrivate()));

        assertRejected(csr, "the request's signature does not verify with its public key"
                + " (expected: signed by the key it asks a certificate for)");
    }

    @Test
    void anExpiredIssuerSignsNothing() {
        Instant expiry = pki.issuer().certificate().getNotAfter().toInstant();
        Instant later = expiry.plusSeconds(1);
        LeafIssuer expired = new LeafIssuer(pki.issuer(), Clock.fixed(later, ZoneOffset.UTC));

        assertThatThrownBy(() -> expired.issue(CertificateRequests.create(Keys.generateP256(), WEB), WEB))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("the issuer: 'CN=identity.isthmus.cluster.local' expired at " + expiry + " (it is " + later + ")");
    }

    @Test
    void anIssuerThatIsNotValidYetSignsNothing() {
        Instant start = pki.issuer().certificate().getNotBefore().toInstant();
        Instant earlier = start.minusSeconds(1);
        LeafIssuer early = new LeafIssuer(pki.issuer(), Clock.fixed(earlier, ZoneOffset.UTC));

        assertThatThrownBy(() -> early.issue(Keys.generateP256().getPublic(), WEB))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessageStartingWith("the issuer: '")
                .hasMessageEndingWith("' is not valid before " + start + " (it is " + earlier + ")");
    }

    @Test
    void theConstructorChecksLifetimeAndSkew() {
        assertThatThrownBy(() -> new LeafIssuer(pki.issuer(), Duration.ZERO, Duration.ZERO, pki.clock()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lifetime: PT0S (expected: a positive duration)");
        assertThatThrownBy(() -> new LeafIssuer(pki.issuer(), Duration.ofHours(1), Duration.ofSeconds(-1), pki.clock()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clockSkew: PT-1S (expected: zero or more)");
        assertThatThrownBy(() -> new LeafIssuer(null, pki.clock()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("issuer");
    }

    @Test
    void validateReturnsTheRequestedIdentity() {
        assertThat(CertificateRequests.validate(CertificateRequests.create(Keys.generateP256(), VOTING))).isEqualTo(VOTING);
    }

    /** Rejected alike by the chosen provider (ACCP where it loads) and by the BouncyCastle fallback. */
    private static void assertRejected(PKCS10CertificationRequest csr, String message) {
        assertThatThrownBy(() -> issuer.issue(csr, WEB))
                .isInstanceOf(CertificateRequestException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> fallback.issue(csr, WEB))
                .as("with BouncyCastle")
                .isInstanceOf(CertificateRequestException.class)
                .hasMessage(message);
    }

    private static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    private static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static PKCS10CertificationRequest request(KeyPair keys, GeneralName... names) {
        return request(keys, "SHA256withECDSA", names);
    }

    /** A request as a workload might build it, with any SANs, signed by its own key. */
    private static PKCS10CertificationRequest request(KeyPair keys, String signatureAlgorithm, GeneralName... names) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=workload"), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static KeyPair generate(String algorithm, Object parameter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (parameter instanceof Integer bits) {
                generator.initialize(bits);
            } else {
                generator.initialize(new ECGenParameterSpec((String) parameter));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
