package dev.isthmus.gateway.peer;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.HandshakeFailure;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * No connection to a peer gateway could be made, classified once for every caller: {@link #reason()} is
 * the metric's tag ({@code timeout}, {@code refused}, {@code wrong_identity}, {@code handshake_<kind>} after
 * {@link HandshakeFailure}, {@code no_credentials}, {@code closed}); {@link #detail()} says what happened in
 * words, after the subject, so that a side can name the gateway its own way (outbound adds the link). The
 * cause is the failure as Netty or the TLS engine reported it.
 */
public final class PeerConnectException extends IOException {

    private final String reason;
    private final String detail;

    private PeerConnectException(Endpoint gateway, String reason, String detail, Throwable cause) {
        super("remote gateway " + gateway + " " + detail, cause);
        this.reason = reason;
        this.detail = detail;
    }

    /** {@code cause} as the failure of a dial to {@code gateway} with {@code connectTimeoutMillis}. */
    static PeerConnectException of(Endpoint gateway, Throwable cause, long connectTimeoutMillis) {
        String reason = reason(cause);
        String detail = switch (reason) {
            case "timeout" -> "did not accept a connection within " + connectTimeoutMillis + " ms";
            case "refused" -> "refused the connection";
            case "wrong_identity" -> "is not who the link says: " + wrongIdentity(cause).getMessage();
            default -> "failed: " + cause;
        };
        return new PeerConnectException(gateway, reason, detail, cause);
    }

    /** This gateway has no client context for the peer (no certificate yet, say), so nothing was dialed. */
    static PeerConnectException noCredentials(Endpoint gateway, Throwable cause) {
        return new PeerConnectException(gateway, "no_credentials", "was not dialed: no mTLS context: " + cause.getMessage(),
                cause);
    }

    /** Why, as a metric's tag. */
    public String reason() {
        return reason;
    }

    /** What happened, in words that follow the gateway's name: "refused the connection". */
    public String detail() {
        return detail;
    }

    static String reason(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "refused";
        }
        if (wrongIdentity(cause) != null) {
            return "wrong_identity";
        }
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            return "handshake_" + HandshakeFailure.classify(cause).tag();
        }
        return "closed";
    }

    /** The trust manager's verdict on a peer with another identity, when that is what failed. */
    private static CertificateException wrongIdentity(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException certificate && String.valueOf(t.getMessage()).contains("is not accepted")) {
                return certificate;
            }
        }
        return null;
    }
}
