package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.EventLoop;
import java.time.Duration;

/**
 * The backend connections of the gateway, in the gateway's {@link PoolRegistry}: one pool per (event loop, backend
 * instance, protocol), an HTTP/1.1 pool or, for a backend that speaks h2c, an HTTP/2 one.
 */
final class UpstreamPools {

    /** A ready backend instance as its pools tell it apart: address and protocol. */
    private record Key(String host, int port, boolean h2c) {}

    private final PoolRegistry<Key> pools;

    UpstreamPools(Upstreams upstreams, Duration idleTimeout) {
        requireNonNull(upstreams, "upstreams");
        requireNonNull(idleTimeout, "idleTimeout");
        this.pools = new PoolRegistry<>((loop, key, owner) -> {
            Endpoint endpoint = new Endpoint(key.host(), key.port(), true);
            return key.h2c()
                    ? new Http2Pool(loop, "backend " + endpoint, (l, http2) -> Http2Pool.connected(upstreams.connect(l, endpoint, http2)),
                            idleTimeout, owner)
                    : new Http1Pool(loop, endpoint, upstreams, idleTimeout, owner);
        });
    }

    /**
     * The pool of {@code loop} for {@code endpoint}; call on {@code loop}. An HTTP session to a service
     * exported as opaque is still HTTP on the wire, so it goes over HTTP/1.1, the protocol of plain
     * servers.
     */
    HttpUpstream pool(EventLoop loop, Endpoint endpoint, BackendProtocol protocol) {
        return pools.pool(loop, new Key(endpoint.host(), endpoint.port(), protocol == BackendProtocol.H2C));
    }
}
