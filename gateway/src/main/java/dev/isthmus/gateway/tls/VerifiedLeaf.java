package dev.isthmus.gateway.tls;

import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Hands an inbound peer's leaf certificate, as the trust manager parsed it to check it, on to what reads the peer's
 * identity once the handshake is done ({@code inbound.HandshakeOutcome}).
 *
 * <p>The session offers the same certificate, but as a fresh copy of its bytes (netty-tcnative's
 * {@code LazyX509Certificate}), which reading the identity from parses a second time: a sixth of what the I/O
 * thread allocated per handshake. {@link PeerTrustManager}, in its inbound role, {@link #keep keeps} the leaf on the
 * handshake session only after the chain passed, and {@link #take} removes it again, so that an established
 * connection keeps no more than before.
 */
public final class VerifiedLeaf {

    private static final String NAME = VerifiedLeaf.class.getName();

    private VerifiedLeaf() {}

    /** Leaves {@code leaf}, of a chain that passed, on the handshake session of {@code engine}, if it offers one. */
    static void keep(SSLEngine engine, X509Certificate leaf) {
        SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
        if (handshake != null) {
            handshake.putValue(NAME, leaf);
        }
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
}
