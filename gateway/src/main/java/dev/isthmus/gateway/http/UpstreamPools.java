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

    /**
     * A ready backend instance as its pools tell it apart: address and protocol. Made for every request, so its
     * equality is written out: the record's own, generated at run time, cost a few per cent of an I/O thread.
     */
    private record Key(String host, int port, boolean h2c) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && port == other.port && h2c == other.h2c && host.equals(other.host);
        }

        @Override
        public int hashCode() {
            return (31 * host.hashCode() + port) * 2 + (h2c ? 1 : 0);
        }
    }

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
