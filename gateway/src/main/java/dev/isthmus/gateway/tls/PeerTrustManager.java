package dev.isthmus.gateway.tls;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.tls.ChainTrustManager;
import dev.isthmus.identity.tls.IdentityTrustManager;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * A gateway peer's certificate check: {@link IdentityTrustManager}'s chain and identity rule, plus the
 * extended key usage of the role the peer plays, and every refusal coded so that the peer receives an
 * alert that says why ({@link CertificateRejection}).
 *
 * <p>Extended key usage follows RFC 5280 §4.2.1.12: a leaf without the extension may be used for any
 * purpose and passes (roots and issuers made by openssl or step may issue such leaves); a leaf with it
 * must list the role's purpose. {@code anyExtendedKeyUsage} alone does not count: the RFC lets an
 * application that needs a particular purpose refuse it, and OpenSSL's TLS purpose checks do.
 */
public final class PeerTrustManager extends ChainTrustManager {

    /** The role the peer plays on the connection, and the key purpose it needs for it. */
    public enum Role {
        /** An inbound peer: a TLS client. */
        CLIENT("1.3.6.1.5.5.7.3.2", "clientAuth"),
        /** A remote gateway we call: a TLS server. */
        SERVER("1.3.6.1.5.5.7.3.1", "serverAuth");

        private final String oid;
        private final String purpose;

        Role(String oid, String purpose) {
            this.oid = oid;
            this.purpose = purpose;
        }
    }

    private final IdentityTrustManager identities;
    private final Role role;

    public PeerTrustManager(IdentityTrustManager identities, Role role) {
        this.identities = requireNonNull(identities, "identities");
        this.role = requireNonNull(role, "role");
    }

    /**
     * @throws CertificateException an {@link io.netty.handler.ssl.OpenSslCertificateException} whose code
     *     names the alert, saying why the peer is not trusted
     */
    public void verify(X509Certificate[] chain) throws CertificateException {
        try {
            identities.verify(chain);
        } catch (CertificateException e) {
            throw CertificateRejection.of(e).exception(e.getMessage(), e);
        }
        checkPurpose(chain[0]);
    }

    private void checkPurpose(X509Certificate leaf) throws CertificateException {
        List<String> purposes;
        try {
            purposes = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw CertificateRejection.BAD_CERTIFICATE.exception("peer certificate '" + subject(leaf)
                    + "' has a malformed extended key usage", e);
        }
        if (purposes != null && !purposes.contains(role.oid)) {
            throw CertificateRejection.WRONG_PURPOSE.exception("peer certificate '" + subject(leaf)
                    + "' has extended key usage " + purposes + " (expected: " + role.purpose + " " + role.oid + ")", null);
        }
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    @Override
    protected void checkChain(X509Certificate[] chain) throws CertificateException {
        verify(chain);
    }

    /** For an inbound peer, also leaves the leaf it checked on the handshake session ({@link VerifiedLeaf}). */
    @Override
    protected void checkChain(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        verify(chain);
        if (role == Role.CLIENT) {
            VerifiedLeaf.keep(engine, chain[0]);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return identities.getAcceptedIssuers();
    }
}
