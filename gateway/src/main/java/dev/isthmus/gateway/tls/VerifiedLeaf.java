package dev.isthmus.gateway.tls;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Hands the peer's leaf certificate, as the trust manager parsed it to check it, on to what reads the peer's
 * identity once the handshake is done ({@code inbound.HandshakeOutcome}).
 *
 * <p>The session offers the same certificate, but as a fresh copy of its bytes (netty-tcnative's
 * {@code LazyX509Certificate}), which reading the identity from parses a second time: a sixth of what the I/O
 * thread allocated per handshake. This decorator decides nothing: the trust manager it wraps is asked exactly as
 * before, and only a chain it accepted leaves its leaf on the handshake session, from which {@link #take} removes it
 * again, so that an established connection keeps no more than before.
 */
public final class VerifiedLeaf extends X509ExtendedTrustManager {

    private static final String NAME = VerifiedLeaf.class.getName();

    private final X509ExtendedTrustManager trust;

    VerifiedLeaf(X509ExtendedTrustManager trust) {
        this.trust = requireNonNull(trust, "trust");
    }

    /**
     * The leaf the trust manager checked in the handshake of {@code session}, removed from it; the session's own
     * copy if none was kept (a JDK engine that offers no handshake session to the trust manager).
     */
    public static X509Certificate take(SSLSession session) throws SSLPeerUnverifiedException {
        if (session.getValue(NAME) instanceof X509Certificate leaf) {
            session.removeValue(NAME);
            return leaf;
        }
        return (X509Certificate) session.getPeerCertificates()[0];
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        trust.checkClientTrusted(chain, authType, engine);
        SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
        if (handshake != null && chain != null && chain.length > 0) {
            handshake.putValue(NAME, chain[0]);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trust.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        trust.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }
}
