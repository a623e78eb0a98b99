package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backend connections of the gateway, kept per (event loop, backend instance): an exchange leases
 * from the pool of its own event loop, so a pool is touched by one thread only and needs no locks. A
 * pool that has no connection left is dropped, so instances that left the route table leave no trace.
 */
final class UpstreamPools {

    private record Key(String host, int port, boolean h2c) {}

    private final Upstreams upstreams;
    private final Duration idleTimeout;
    private final Map<EventLoop, Map<Key, HttpUpstream>> byLoop = new ConcurrentHashMap<>();

    UpstreamPools(Upstreams upstreams, Duration idleTimeout) {
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
    }

    /**
     * The pool of {@code loop} for {@code endpoint}; call on {@code loop}. An HTTP session to a service
     * exported as opaque is still HTTP on the wire, so it goes over HTTP/1.1, the protocol of plain
     * servers.
     */
    HttpUpstream pool(EventLoop loop, Endpoint endpoint, BackendProtocol protocol) {
        Map<Key, HttpUpstream> pools = byLoop.get(loop); // a plain read: computeIfAbsent may lock even when the key is there
        if (pools == null) {
            pools = byLoop.computeIfAbsent(loop, l -> new HashMap<>());
        }
        Key key = new Key(endpoint.host(), endpoint.port(), protocol == BackendProtocol.H2C);
        HttpUpstream pool = pools.get(key);
        if (pool == null) {
            pool = key.h2c()
                    ? new Http2Pool(loop, "backend " + endpoint, (l, http2) -> Http2Pool.connected(upstreams.connect(l, endpoint, http2)), idleTimeout,
                            PoolOwner.of(pools, key))
                    : new Http1Pool(loop, endpoint, upstreams, idleTimeout, PoolOwner.of(pools, key));
            pools.put(key, pool);
        }
        return pool;
    }
}
