package dev.isthmus.identity.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.testing.TestPki.Workload;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdentityTrustManagerTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private static TestPki pki;
    private static Workload gateway;
    private static Workload web;

    @BeforeAll
    static void createPki() {
        pki = TestPki.at(NOW);
        gateway = pki.workload("isthmus-multicluster", "isthmus-gateway");
        web = pki.workload("emojivoto", "web");
    }

    /** The six ways a TLS stack asks a trust manager; all of them must apply the same rule. */
    interface Check {
        void check(IdentityTrustManager manager, X509Certificate[] chain) throws CertificateException;
    }

    static Stream<Arguments> checks() {
        return Stream.of(
                Arguments.of("checkClientTrusted", (Check) (m, c) -> m.checkClientTrusted(c, "ECDHE_ECDSA")),
                Arguments.of("checkServerTrusted", (Check) (m, c) -> m.checkServerTrusted(c, "ECDHE_ECDSA")),
                Arguments.of("checkClientTrusted(Socket)", (Check) (m, c) -> m.checkClientTrusted(c, "ECDHE_ECDSA", (java.net.Socket) null)),
                Arguments.of("checkServerTrusted(Socket)", (Check) (m, c) -> m.checkServerTrusted(c, "ECDHE_ECDSA", (java.net.Socket) null)),
                Arguments.of("checkClientTrusted(SSLEngine)", (Check) (m, c) -> m.checkClientTrusted(c, "ECDHE_ECDSA", (SSLEngine) null)),
                Arguments.of("checkServerTrusted(SSLEngine)", (Check) (m, c) -> m.checkServerTrusted(c, "ECDHE_ECDSA", (SSLEngine) null)));
    }

    @Test
    void exactlyAcceptsTheExpectedPeerAndReturnsItsIdentity() throws CertificateException {
        IdentityTrustManager manager = IdentityTrustManager.exactly(pki.anchors(), gateway.identity(), pki.clock());

        assertThat(manager.verify(gateway.chain())).isEqualTo(gateway.identity());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void exactlyRejectsAnotherValidIdentityFromTheSameAnchor(String method, Check check) throws CertificateException {
        IdentityTrustManager manager = IdentityTrustManager.exactly(pki.anchors(), gateway.identity(), pki.clock());

        check.check(manager, gateway.chain());
        assertThatThrownBy(() -> check.check(manager, web.chain()))
                .isInstanceOf(CertificateException.class)
                .hasMessage("peer identity spiffe://cluster.local/ns/emojivoto/sa/web is not accepted"
                        + " (expected: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void rejectsAChainToAnotherAnchor(String method, Check check) {
        Workload impostor = TestPki.at(NOW).workload(gateway.identity());
        IdentityTrustManager manager = IdentityTrustManager.exactly(pki.anchors(), gateway.identity(), pki.clock());

        assertThatThrownBy(() -> check.check(manager, impostor.chain()))
                .isInstanceOf(CertificateException.class)
                .hasMessage("the peer's certificate does not chain to a trust anchor:"
                        + " Path does not chain with any of the trust anchors")
                .hasCauseInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void trustDomainAcceptsAnyIdentityInIt() throws CertificateException {
        IdentityTrustManager manager = IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock());

        assertThat(manager.verify(gateway.chain())).isEqualTo(gateway.identity());
        assertThat(manager.verify(web.chain())).isEqualTo(web.identity());
    }

    @Test
    void trustDomainRejectsAnotherTrustDomainEvenFromTheSameAnchor() {
        SpiffeId foreign = new SpiffeId("example.org", "emojivoto", "web");
        X509Certificate[] chain = pki.leafIssuer().issue(Keys.generateP256().getPublic(), foreign).chain()
                .toArray(new X509Certificate[0]);
        IdentityTrustManager manager = IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock());

        assertThatThrownBy(() -> manager.verify(chain))
                .isInstanceOf(CertificateException.class)
                .hasMessage("peer identity spiffe://example.org/ns/emojivoto/sa/web is not accepted"
                        + " (expected: any identity in trust domain cluster.local)");
    }

    @Test
    void rejectsAnExpiredPeer() {
        Clock afterExpiry = Clock.fixed(gateway.certificate().notAfter().plusSeconds(1), ZoneOffset.UTC);
        IdentityTrustManager manager = IdentityTrustManager.exactly(pki.anchors(), gateway.identity(), afterExpiry);

        assertThatThrownBy(() -> manager.verify(gateway.chain()))
                .isInstanceOf(CertificateException.class)
                .hasMessage("the peer's certificate does not chain to a trust anchor: validity check failed")
                .cause()
                .isInstanceOfSatisfying(CertPathValidatorException.class,
                        e -> assertThat(e.getReason()).isEqualTo(BasicReason.EXPIRED));
    }

    @Test
    void rejectsAPeerWithoutACertificate() {
        IdentityTrustManager manager = IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock());

        assertThatThrownBy(() -> manager.verify(new X509Certificate[0]))
                .isInstanceOf(CertificateException.class)
                .hasMessage("the peer presented no certificate");
        assertThatThrownBy(() -> manager.checkClientTrusted(null, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class)
                .hasMessage("the peer presented no certificate");
    }

    @Test
    void rejectsAChainedCertificateWithoutSpiffeIdentity() {
        X509Certificate[] issuerAsPeer = {pki.issuer().certificate()};
        IdentityTrustManager manager = IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock());

        assertThatThrownBy(() -> manager.verify(issuerAsPeer))
                .isInstanceOf(CertificateException.class)
                .hasMessage("certificate 'CN=identity.isthmus.cluster.local' has no SPIFFE identity"
                        + " (expected a URI SAN spiffe://<td>/ns/<ns>/sa/<sa>)");
    }

    @Test
    void acceptedIssuersAreTheAnchors() {
        TestPki next = TestPki.at(NOW);
        TrustAnchors both = new TrustAnchors(List.of(pki.root().certificate(), next.root().certificate()), "bundle");

        assertThat(IdentityTrustManager.exactly(both, gateway.identity(), pki.clock()).getAcceptedIssuers())
                .containsExactly(pki.root().certificate(), next.root().certificate());
    }
}
