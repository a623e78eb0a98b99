package dev.isthmus.gateway.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Why a handshake failed, in the few classes an operator acts on differently, rather than one
 * "handshake error" log line per stray scanner. The name is the metric's {@code reason} tag.
 */
public enum HandshakeFailure {
    /** Plaintext (HTTP, a port scan) on the TLS port. */
    NOT_TLS,
    /** The peer sent no certificate. */
    NO_CLIENT_CERTIFICATE,
    /** A certificate from another anchor, or with no identity. */
    UNTRUSTED_CERTIFICATE,
    /** A certificate outside its validity period. */
    EXPIRED_CERTIFICATE,
    /** A certificate whose extended key usage does not allow its role (clientAuth inbound, serverAuth outbound). */
    WRONG_KEY_USAGE,
    /** A client that did not offer our ALPN protocol ({@link ApplicationProtocolGate}). */
    NO_APPLICATION_PROTOCOL,
    /** No key exchange in common: the peer offered none of the groups of this gateway's {@code tls.keyExchange}. */
    NO_SHARED_KEY_EXCHANGE,
    /**
     * The peer ended the handshake with a {@code handshake_failure} alert: nothing this side offered was acceptable to
     * it. Between two gateways (TLS 1.3, the same ciphers and signature schemes) that means their {@code tls.keyExchange}
     * lists share no group; the side that found none counts {@link #NO_SHARED_KEY_EXCHANGE}.
     */
    PEER_REFUSED,
    /** TLS 1.2 or older, or no cipher in common. */
    PROTOCOL_VERSION,
    /** The handshake did not finish in time. */
    TIMEOUT,
    /** The peer went away mid-handshake. */
    CLOSED_EARLY,
    OTHER;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static HandshakeFailure classify(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return TIMEOUT;
        }
        if (cause instanceof NotSslRecordException) {
            return NOT_TLS;
        }
        if (cause instanceof ClosedChannelException) {
            return CLOSED_EARLY;
        }
        CertificateRejection rejection = certificateRejection(cause);
        if (rejection == CertificateRejection.WRONG_PURPOSE) {
            return WRONG_KEY_USAGE;
        }
        if (rejection == CertificateRejection.EXPIRED) {
            return EXPIRED_CERTIFICATE;
        }
        if (rejection != null) {
            return UNTRUSTED_CERTIFICATE;
        }
        String text = messages(cause).toLowerCase(Locale.ROOT);
        if (text.contains("expired") || text.contains("not yet valid") || text.contains("validity")) {
            return EXPIRED_CERTIFICATE;
        }
        if (text.contains("peer_did_not_return_a_certificate") || text.contains("no client certificate")
                || text.contains("presented no certificate") || text.contains("empty client certificate chain")
                || text.contains("certificate_required")) {
            return NO_CLIENT_CERTIFICATE;
        }
        if (text.contains("does not chain") || text.contains("certificate_unknown") || text.contains("certificate_verify_failed")
                || text.contains("no spiffe identity") || text.contains("not accepted") || text.contains("bad_certificate")) {
            return UNTRUSTED_CERTIFICATE;
        }
        if (text.contains("no_shared_group")) {
            return NO_SHARED_KEY_EXCHANGE;
        }
        if (text.contains("alert_handshake_failure")) {
            return PEER_REFUSED;
        }
        if (text.contains("protocol_version") || text.contains("unsupported_protocol") || text.contains("no_shared_cipher")
                || text.contains("wrong_version_number") || text.contains("protocol version") || text.contains("no appropriate protocol")) {
            return PROTOCOL_VERSION;
        }
        if (text.contains("closed") || text.contains("connection reset") || text.contains("broken pipe")) {
            return CLOSED_EARLY;
        }
        return OTHER;
    }

    /** The rejection our trust manager coded, wherever the TLS engine wrapped it. */
    private static CertificateRejection certificateRejection(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OpenSslCertificateException coded) {
                return CertificateRejection.ofVerifyError(coded.errorCode());
            }
        }
        return null;
    }

    private static String messages(Throwable cause) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
