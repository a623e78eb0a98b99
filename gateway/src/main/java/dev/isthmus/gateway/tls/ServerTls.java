package dev.isthmus.gateway.tls;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.tls.PeerIdentities;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The inbound TLS context of the moment. New credentials (a renewed certificate, rotated anchors)
 * build a new context that new connections get; established connections keep the context they
 * started with, so a rotation never drops a stream.
 */
public final class ServerTls {

    private static final Logger log = Logger.getLogger(ServerTls.class.getName());

    private final SslProvider provider;
    private final Clock clock;
    private final Duration handshakeTimeout;
    private final KeyExchange keyExchange;
    private volatile State state;

    private record State(SslContext context, CertifiedKey credentials, TrustAnchors anchors) {}

    public ServerTls(SslProvider provider, Duration handshakeTimeout, Clock clock) {
        this(provider, handshakeTimeout, KeyExchange.DEFAULT, clock);
    }

    /** @throws IllegalArgumentException for a {@code keyExchange} that {@code provider} would not apply */
    public ServerTls(SslProvider provider, Duration handshakeTimeout, KeyExchange keyExchange, Clock clock) {
        this.provider = requireNonNull(provider, "provider");
        this.handshakeTimeout = requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.keyExchange = requireNonNull(keyExchange, "keyExchange");
        keyExchange.requireSupportedBy(provider); // at start, not at the first credentials, which would only log it
        this.clock = requireNonNull(clock, "clock");
    }

    /** Installs new credentials; a context that cannot be built leaves the previous one in place. */
    public synchronized void update(CertifiedKey credentials, TrustAnchors anchors) {
        try {
            state = new State(TlsContexts.server(credentials, anchors, provider, keyExchange, clock), credentials, anchors);
            log.info(() -> "serving a certificate for " + PeerIdentities.of(credentials.leaf())
                    + ", valid until " + credentials.notAfter());
        } catch (SSLException | RuntimeException e) {
            log.severe("new TLS credentials rejected, keeping the previous ones: " + e);
        }
    }

    public synchronized void update(CertifiedKey credentials) {
        State current = state;
        if (current == null) {
            throw new IllegalStateException("trust anchors must be set with the first credentials");
        }
        update(credentials, current.anchors());
    }

    public boolean ready() {
        return state != null;
    }

    /** A handler for one new connection, with the current context; the peer cannot resume a session ({@link ServerSessions}). */
    public SslHandler newHandler(ByteBufAllocator allocator) {
        State current = state;
        if (current == null) {
            throw new IllegalStateException("no TLS credentials yet");
        }
        SslHandler handler = ServerSessions.withoutTickets(current.context().newHandler(allocator));
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }

    /** The credentials of the moment, which the outbound side presents too; {@code null} before there are any. */
    public CertifiedKey credentials() {
        State current = state;
        return current == null ? null : current.credentials();
    }

    /** The trust anchors of the moment; {@code null} before there are any. */
    public TrustAnchors anchors() {
        State current = state;
        return current == null ? null : current.anchors();
    }

    public SslProvider provider() {
        return provider;
    }

    /** Seconds until the serving certificate expires; NaN before there is one. */
    public double secondsUntilExpiry() {
        State current = state;
        return current == null ? Double.NaN
                : Duration.between(clock.instant(), current.credentials().notAfter()).toMillis() / 1000.0;
    }

    public Instant notAfter() {
        State current = state;
        return current == null ? null : current.credentials().notAfter();
    }
}
