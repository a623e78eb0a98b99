package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.ServerTls;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The TLS side of connections to remote gateways: the gateway's own credentials of the moment (the
 * ones it serves with), and a context per remote identity that trusts exactly that identity. A context
 * is rebuilt when the credentials or anchors change, so renewals reach new connections.
 */
final class ClientTls {

    private final ServerTls own;
    private final Duration handshakeTimeout;
    private final Clock clock;
    private final Map<SpiffeId, Built> contexts = new ConcurrentHashMap<>();

    private record Built(CertifiedKey credentials, TrustAnchors anchors, SslContext context) {}

    ClientTls(ServerTls own, Duration handshakeTimeout, Clock clock) {
        this.own = own;
        this.handshakeTimeout = handshakeTimeout;
        this.clock = clock;
    }

    /** A handler for one connection to {@code gateway}, which must prove it is {@code peer}; SNI is its DNS identity. */
    SslHandler newHandler(SpiffeId peer, Endpoint gateway, ByteBufAllocator alloc) throws SSLException {
        CertifiedKey credentials = own.credentials();
        TrustAnchors anchors = own.anchors();
        if (credentials == null || anchors == null) {
            throw new SSLException("the gateway has no TLS credentials yet");
        }
        Built built = contexts.get(peer);
        if (built == null || built.credentials() != credentials || built.anchors() != anchors) {
            built = new Built(credentials, anchors, TlsContexts.client(credentials, anchors, peer, own.provider(), clock));
            contexts.put(peer, built);
        }
        SslHandler handler = built.context().newHandler(alloc, peer.dnsName(), gateway.port());
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }
}
