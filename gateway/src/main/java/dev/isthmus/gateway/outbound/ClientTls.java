package dev.isthmus.gateway.outbound;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.identity.SpiffeId;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * The TLS side of connections to remote gateways: a handler per connection from the gateway's one cache
 * of client contexts (which the probes use too), with SNI and the handshake timeout of this side.
 */
final class ClientTls {

    private final ClientContexts contexts;
    private final Duration handshakeTimeout;

    ClientTls(ClientContexts contexts, Duration handshakeTimeout) {
        this.contexts = requireNonNull(contexts, "contexts");
        this.handshakeTimeout = requireNonNull(handshakeTimeout, "handshakeTimeout");
    }

    /** A handler for one connection to {@code gateway}, which must prove it is {@code peer}; SNI is its DNS identity. */
    SslHandler newHandler(SpiffeId peer, Endpoint gateway, ByteBufAllocator alloc) throws SSLException {
        SslHandler handler = contexts.forPeer(peer).newHandler(alloc, peer.dnsName(), gateway.port());
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }
}
