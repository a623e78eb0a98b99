package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.http.Http2Pool;
import dev.isthmus.gateway.http.HttpUpstream;
import dev.isthmus.gateway.http.PoolOwner;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.identity.SpiffeId;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP/2 connections to remote gateways, shared by every client of the gateway: one pool per event
 * loop and (gateway address, gateway identity, remote service and port), since the transport header
 * binds a connection to one service. A pool is touched by its event loop only; one whose last
 * connection closed is dropped.
 */
final class GatewayPools {

    private record Key(Endpoint gateway, SpiffeId identity, String service, int port) {}

    private final GatewayDialer dialer;
    private final Duration idleTimeout;
    private final Map<EventLoop, Map<Key, HttpUpstream>> byLoop = new ConcurrentHashMap<>();

    GatewayPools(GatewayDialer dialer, Duration idleTimeout) {
        this.dialer = dialer;
        this.idleTimeout = idleTimeout;
    }

    /** The pool of {@code loop} for {@code target} through {@code gateway}; call on {@code loop}. */
    HttpUpstream pool(EventLoop loop, RemoteTarget target, Endpoint gateway) {
        Map<Key, HttpUpstream> pools = byLoop.computeIfAbsent(loop, l -> new HashMap<>());
        Key key = new Key(gateway, target.gatewayIdentity(), target.service(), target.port());
        HttpUpstream pool = pools.get(key);
        if (pool == null) {
            pool = new Http2Pool(loop, new RemoteDestination(target, gateway).describe(),
                    (l, http2) -> dialer.dial(l, target, gateway, SessionProtocol.HTTP2, http2), idleTimeout,
                    PoolOwner.of(pools, key));
            pools.put(key, pool);
        }
        return pool;
    }
}
