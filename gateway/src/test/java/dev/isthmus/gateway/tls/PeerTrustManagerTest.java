package dev.isthmus.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.isthmus.gateway.testing.HostileCertificates;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.IdentityTrustManager;
import io.netty.handler.ssl.OpenSslCertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** Which alert each kind of bad peer certificate earns, without a network: the code BoringSSL turns into the alert. */
class PeerTrustManagerTest {

    static final TestPki pki = TestPki.create();
    static final HostileCertificates hostile = new HostileCertificates(pki);

    final PeerTrustManager inbound = new PeerTrustManager(
            new IdentityTrustManager(pki.anchors(), id -> true, "any", Clock.systemUTC()), PeerTrustManager.Role.CLIENT);
    final PeerTrustManager outbound = new PeerTrustManager(
            IdentityTrustManager.exactly(pki.anchors(), TestPki.GATEWAY, Clock.systemUTC()), PeerTrustManager.Role.SERVER);

    @Test
    void aGoodLeafPassesBothWays() {
        assertThatCode(() -> inbound.verify(chain(pki.leaf(TestPki.PEER)))).doesNotThrowAnyException();
        assertThatCode(() -> outbound.verify(chain(pki.leaf(TestPki.GATEWAY)))).doesNotThrowAnyException();
    }

    @Test
    void aClientNeedsClientAuthAndAServerNeedsServerAuth() {
        assertThat(rejection(inbound, hostile.withKeyUsage(KeyPurposeId.id_kp_serverAuth))).isEqualTo(CertificateRejection.WRONG_PURPOSE);
        assertThat(rejection(inbound, hostile.withKeyUsage(KeyPurposeId.id_kp_codeSigning))).isEqualTo(CertificateRejection.WRONG_PURPOSE);
        assertThat(rejection(inbound, hostile.withKeyUsage(KeyPurposeId.anyExtendedKeyUsage)))
                .as("anyExtendedKeyUsage alone does not name clientAuth").isEqualTo(CertificateRejection.WRONG_PURPOSE);
        assertThatCode(() -> inbound.verify(chain(hostile.withKeyUsage(KeyPurposeId.id_kp_clientAuth)))).doesNotThrowAnyException();
    }

    @Test
    void aLeafWithoutTheExtendedKeyUsageExtensionMayServeAnyPurpose() throws Exception {
        CertifiedKey noExtension = hostile.withKeyUsage((KeyPurposeId[]) null);
        assertThat(noExtension.leaf().getExtendedKeyUsage()).isNull();
        assertThatCode(() -> inbound.verify(chain(noExtension))).doesNotThrowAnyException();
    }

    @Test
    void aChainToNoKnownAnchorIsUnknownCa() {
        assertThat(rejection(inbound, HostileCertificates.fromAnotherAnchor())).isEqualTo(CertificateRejection.UNKNOWN_CA);
        assertThat(rejection(inbound, hostile.withoutIntermediate())).isEqualTo(CertificateRejection.UNKNOWN_CA);
    }

    @Test
    void aCertificateThatNamesNoSingleIdentityOrHasALeafForIssuerIsBad() {
        assertThat(rejection(inbound, hostile.withoutSan())).isEqualTo(CertificateRejection.BAD_CERTIFICATE);
        assertThat(rejection(inbound, hostile.withDnsSanOnly())).isEqualTo(CertificateRejection.BAD_CERTIFICATE);
        assertThat(rejection(inbound, hostile.withTwoUriSans())).isEqualTo(CertificateRejection.BAD_CERTIFICATE);
        assertThat(rejection(inbound, hostile.signedByALeaf())).isEqualTo(CertificateRejection.BAD_CERTIFICATE);
    }

    @Test
    void anExpiredLeafIsExpiredAndAnotherGatewaysIdentityIsBad() {
        assertThat(rejection(inbound, pki.expiredLeaf(TestPki.PEER))).isEqualTo(CertificateRejection.EXPIRED);
        assertThat(rejection(outbound, pki.leaf(TestPki.PEER))).isEqualTo(CertificateRejection.BAD_CERTIFICATE);
    }

    @Test
    void noCodeSentMeansInternalError() {
        // The codes this class sends are the ones BoringSSL maps to the named alerts, never X509_V_ERR_UNSPECIFIED.
        for (CertificateRejection rejection : CertificateRejection.values()) {
            assertThat(rejection.verifyError()).as("X509_V_ERR_UNSPECIFIED").isNotEqualTo(1);
            assertThat(CertificateRejection.ofVerifyError(rejection.verifyError())).isEqualTo(rejection);
        }
    }

    private static CertificateRejection rejection(PeerTrustManager trust, CertifiedKey peer) {
        OpenSslCertificateException refused = catchThrowableOfType(OpenSslCertificateException.class, () -> trust.verify(chain(peer)));
        assertThat(refused).as("refused").isNotNull();
        return CertificateRejection.ofVerifyError(refused.errorCode());
    }

    private static X509Certificate[] chain(CertifiedKey key) {
        return key.chain().toArray(new X509Certificate[0]);
    }
}
