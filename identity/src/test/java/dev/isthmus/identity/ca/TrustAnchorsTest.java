package dev.isthmus.identity.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.testing.TestPki.Workload;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.PKIXReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustAnchorsTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private static TestPki pki;
    /** Another cluster that also installed with the default trust domain: same names, different keys. */
    private static TestPki stranger;
    private static Workload web;

    @TempDir
    Path dir;

    @BeforeAll
    static void createPkis() {
        pki = TestPki.at(NOW);
        stranger = TestPki.at(NOW);
        web = pki.workload("emojivoto", "web");
    }

    @Test
    void acceptsAChainToTheAnchor() {
        assertThatCode(() -> pki.anchors().verify(web.certificate().chain(), NOW)).doesNotThrowAnyException();
    }

    @Test
    void acceptsAChainThatIncludesTheAnchorItself() {
        List<X509Certificate> withRoot = List.of(web.leaf(), pki.issuer().certificate(), pki.root().certificate());

        assertThatCode(() -> pki.anchors().verify(withRoot, NOW)).doesNotThrowAnyException();
    }

    @Test
    void rejectsAChainToAnotherAnchorWithTheSameNames() {
        Workload impostor = stranger.workload("emojivoto", "web");
        assertThat(stranger.root().certificate().getSubjectX500Principal())
                .isEqualTo(pki.root().certificate().getSubjectX500Principal());

        assertThatThrownBy(() -> pki.anchors().verify(impostor.certificate().chain(), NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(PKIXReason.NO_TRUST_ANCHOR))
                .hasMessage("Path does not chain with any of the trust anchors");
    }

    @Test
    void rejectsAChainToAnAnchorInAnotherTrustDomain() {
        TestPki other = TestPki.create("example.org", pki.clock());
        Workload foreign = other.workload("emojivoto", "web");

        assertThatThrownBy(() -> pki.anchors().verify(foreign.certificate().chain(), NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(PKIXReason.NO_TRUST_ANCHOR))
                .hasMessage("Path does not chain with any of the trust anchors");
    }

    @Test
    void rejectsALeafPresentedWithAnIssuerThatDidNotSignIt() {
        Workload impostor = stranger.workload("emojivoto", "web");
        List<X509Certificate> forged = List.of(impostor.leaf(), pki.issuer().certificate());

        assertThatThrownBy(() -> pki.anchors().verify(forged, NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class, e -> {
                    assertThat(e.getReason()).isEqualTo(BasicReason.INVALID_SIGNATURE);
                    assertThat(e.getIndex()).as("the leaf").isZero();
                })
                .hasMessage("signature check failed");
    }

    @Test
    void rejectsALeafSentWithoutItsIssuer() {
        assertThatThrownBy(() -> pki.anchors().verify(List.of(web.leaf()), NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(PKIXReason.NO_TRUST_ANCHOR))
                .hasMessage("Path does not chain with any of the trust anchors");
    }

    @Test
    void aBundleOfTwoRootsAcceptsLeavesUnderEither() {
        TestPki next = TestPki.create("cluster.local", pki.clock());
        Path bundle = dir.resolve("ca-bundle.crt");
        PemFiles.write(List.of(Output.certificates(bundle, List.of(pki.root().certificate(), next.root().certificate()))), false);

        TrustAnchors anchors = TrustAnchors.load(bundle);

        assertThat(anchors.roots()).containsExactly(pki.root().certificate(), next.root().certificate());
        assertThatCode(() -> anchors.verify(web.certificate().chain(), NOW)).doesNotThrowAnyException();
        assertThatCode(() -> anchors.verify(next.workload("emojivoto", "web").certificate().chain(), NOW))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> anchors.verify(stranger.workload("emojivoto", "web").certificate().chain(), NOW))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void rejectsAnExpiredLeaf() {
        Instant afterExpiry = web.certificate().notAfter().plusSeconds(1);

        assertThatThrownBy(() -> pki.anchors().verify(web.certificate().chain(), afterExpiry))
                .isInstanceOfSatisfying(CertPathValidatorException.class, e -> {
                    assertThat(e.getReason()).isEqualTo(BasicReason.EXPIRED);
                    assertThat(e.getIndex()).as("the leaf").isZero();
                })
                .hasMessage("validity check failed");
    }

    @Test
    void rejectsALeafThatIsNotValidYet() {
        Instant beforeStart = web.leaf().getNotBefore().toInstant().minusSeconds(1);

        assertThatThrownBy(() -> pki.anchors().verify(web.certificate().chain(), beforeStart))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(BasicReason.NOT_YET_VALID))
                .hasMessage("validity check failed");
    }

    @Test
    void rejectsAChainWhoseIssuerExpired() {
        Instant afterIssuer = pki.issuer().notAfter().plus(Duration.ofDays(1));

        assertThatThrownBy(() -> pki.anchors().verify(web.certificate().chain(), afterIssuer))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(BasicReason.EXPIRED));
    }

    @Test
    void rejectsAnEmptyChain() {
        assertThatThrownBy(() -> pki.anchors().verify(List.of(), NOW))
                .isInstanceOf(CertPathValidatorException.class)
                .hasMessage("no certificate presented");
    }

    @Test
    void aLeafCannotBeAnAnchor() {
        assertThatThrownBy(() -> new TrustAnchors(List.of(pki.root().certificate(), web.leaf()), "ca-bundle.crt"))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("ca-bundle.crt: 'CN=web.emojivoto.serviceaccount.identity.isthmus.cluster.local' is not a CA"
                        + " certificate and cannot be a trust anchor (expected basicConstraints CA:TRUE)");
    }

    @Test
    void atLeastOneAnchorIsNeeded() {
        assertThatThrownBy(() -> new TrustAnchors(List.of(), "ca-bundle.crt"))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessage("ca-bundle.crt: no trust anchors (expected at least one CA certificate)");
    }

    @Test
    void loadNamesTheBundleFile() {
        Path leafFile = dir.resolve("leaf.crt");
        PemFiles.write(List.of(Output.certificates(leafFile, List.of(web.leaf()))), false);

        assertThatThrownBy(() -> TrustAnchors.load(leafFile))
                .isInstanceOf(InvalidAuthorityException.class)
                .hasMessageStartingWith(leafFile + ": 'CN=web.");
        assertThatThrownBy(() -> TrustAnchors.load(dir.resolve("missing.crt")))
                .isInstanceOf(PemException.class)
                .hasMessage(dir.resolve("missing.crt") + ": no such file");
    }

    @Test
    void aValidatedChainIsRememberedOnceHoweverOftenItIsPresented() throws Exception {
        TrustAnchors anchors = pki.anchors();

        for (int i = 0; i < 3; i++) {
            anchors.verify(web.certificate().chain(), NOW);
        }

        assertThat(anchors.verifiedChains()).isEqualTo(1);
    }

    @Test
    void aRememberedChainWhoseLeafExpiredSinceIsRefused() throws Exception {
        TrustAnchors anchors = pki.anchors();
        anchors.verify(web.certificate().chain(), NOW);
        Instant afterExpiry = web.certificate().notAfter().plusSeconds(1);

        assertThatThrownBy(() -> anchors.verify(web.certificate().chain(), afterExpiry))
                .isInstanceOfSatisfying(CertPathValidatorException.class, e -> {
                    assertThat(e.getReason()).isEqualTo(BasicReason.EXPIRED);
                    assertThat(e.getIndex()).as("the leaf").isZero();
                })
                .hasMessage("validity check failed");
        assertThat(anchors.verifiedChains()).as("an expired chain is forgotten").isZero();
    }

    @Test
    void aRememberedChainIsRefusedBeforeItsLeafIsValid() throws Exception {
        TrustAnchors anchors = pki.anchors();
        anchors.verify(web.certificate().chain(), NOW);
        Instant beforeStart = web.leaf().getNotBefore().toInstant().minusSeconds(1);

        assertThatThrownBy(() -> anchors.verify(web.certificate().chain(), beforeStart))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(BasicReason.NOT_YET_VALID))
                .hasMessage("validity check failed");
        assertThatCode(() -> anchors.verify(web.certificate().chain(), NOW)).doesNotThrowAnyException();
    }

    @Test
    void afterAnchorRotationAChainOfTheOldAnchorIsRefused() throws Exception {
        pki.anchors().verify(web.certificate().chain(), NOW);
        TestPki next = TestPki.create("cluster.local", pki.clock());
        TrustAnchors rotated = new TrustAnchors(List.of(next.root().certificate()), "rotated root");

        assertThatThrownBy(() -> rotated.verify(web.certificate().chain(), NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(PKIXReason.NO_TRUST_ANCHOR));
    }

    @Test
    void aLeafThatDiffersFromARememberedOneInASingleByteIsValidatedInFull() throws Exception {
        TrustAnchors anchors = pki.anchors();
        anchors.verify(web.certificate().chain(), NOW);
        byte[] der = web.leaf().getEncoded();
        der[der.length - 1] ^= 1; // the last byte of the signature: same subject, key, serial and issuer
        X509Certificate tampered = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));

        assertThatThrownBy(() -> anchors.verify(List.of(tampered, pki.issuer().certificate()), NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(BasicReason.INVALID_SIGNATURE))
                .hasMessage("signature check failed");
    }

    @Test
    void aLeafWithTheSameNamesFromAnotherAnchorIsValidatedInFull() throws Exception {
        TrustAnchors anchors = pki.anchors();
        anchors.verify(web.certificate().chain(), NOW);
        Workload impostor = stranger.workload("emojivoto", "web");

        assertThatThrownBy(() -> anchors.verify(List.of(impostor.leaf(), pki.issuer().certificate()), NOW))
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(BasicReason.INVALID_SIGNATURE));
    }

    @Test
    void aRefusedChainIsNotRemembered() {
        TrustAnchors anchors = pki.anchors();
        List<X509Certificate> forged = List.of(stranger.workload("emojivoto", "web").leaf(), pki.issuer().certificate());
        Instant afterExpiry = web.certificate().notAfter().plusSeconds(1);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> anchors.verify(forged, NOW)).isInstanceOf(CertPathValidatorException.class);
            assertThatThrownBy(() -> anchors.verify(web.certificate().chain(), afterExpiry))
                    .isInstanceOf(CertPathValidatorException.class);
        }

        assertThat(anchors.verifiedChains()).isZero();
        assertThatCode(() -> anchors.verify(web.certificate().chain(), NOW)).doesNotThrowAnyException();
    }

    @Test
    void whenFullItForgetsChainsAndValidatesThemInFullAgain() throws Exception {
        TrustAnchors anchors = new TrustAnchors(pki.roots(), "test root", 2);
        List<Workload> workloads = List.of(web, pki.workload("emojivoto", "voting"), pki.workload("emojivoto", "emoji"));

        for (int round = 0; round < 2; round++) {
            for (Workload workload : workloads) {
                anchors.verify(workload.certificate().chain(), NOW);
                assertThat(anchors.verifiedChains()).isBetween(1, 2);
            }
        }
        Instant afterExpiry = web.certificate().notAfter().plusSeconds(1);
        assertThatThrownBy(() -> anchors.verify(web.certificate().chain(), afterExpiry))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void everyEventLoopGetsTheRightAnswerAtOnce() throws Exception {
        TrustAnchors anchors = new TrustAnchors(pki.roots(), "test root", 3);
        List<List<X509Certificate>> good = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            good.add(pki.workload("emojivoto", "web-" + i).certificate().chain());
        }
        List<List<X509Certificate>> bad = List.of(
                List.of(stranger.workload("emojivoto", "web").leaf(), pki.issuer().certificate()),
                stranger.workload("emojivoto", "web").certificate().chain());
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        boolean trusted = random.nextInt(4) != 0;
                        List<List<X509Certificate>> from = trusted ? good : bad;
                        int which = random.nextInt(from.size());
                        try {
                            anchors.verify(from.get(which), NOW);
                            if (!trusted) {
                                wrong.add("bad chain " + which + " accepted");
                            }
                        } catch (CertPathValidatorException e) {
                            if (trusted) {
                                wrong.add("good chain " + which + " refused: " + e.getMessage());
                            }
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(anchors.verifiedChains()).isBetween(1, 3 + threads);
    }
}
