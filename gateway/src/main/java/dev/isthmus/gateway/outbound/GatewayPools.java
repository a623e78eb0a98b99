package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.http.Http2Pool;
import dev.isthmus.gateway.http.HttpUpstream;
import dev.isthmus.gateway.http.PoolRegistry;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.transport.SessionProtocol;
import io.netty.channel.EventLoop;
import java.time.Duration;

/**
 * The HTTP/2 connections to remote gateways, shared by every client of the gateway, in the gateway's
 * {@link PoolRegistry}: one pool per event loop and (gateway address, gateway identity, remote service and port),
 * since the transport header binds a connection to one service.
 */
final class GatewayPools {

    private final PoolRegistry<Key> pools;

    GatewayPools(GatewayDialer dialer, Duration idleTimeout) {
        this.pools = new PoolRegistry<>((loop, key, owner) -> new Http2Pool(loop,
                new RemoteDestination(key.target, key.gateway).describe(),
                (l, http2) -> dialer.dial(l, key.target, key.gateway, SessionProtocol.HTTP2, http2), idleTimeout, owner));
    }

    /** The pool of {@code loop} for {@code target} through {@code gateway}; call on {@code loop}. */
    HttpUpstream pool(EventLoop loop, RemoteTarget target, Endpoint gateway) {
        return pools.pool(loop, new Key(target, gateway));
    }

    /**
     * A pool's key: equal for the same gateway address, gateway identity and remote service and port, whatever
     * else the target says (the link its metrics name is the one of the target the pool was made for).
     */
    private static final class Key {
        final RemoteTarget target;
        final Endpoint gateway;

        Key(RemoteTarget target, Endpoint gateway) {
            this.target = target;
            this.gateway = gateway;
        }

        @Override
        public boolean equals(Object o) {
            // The same route's instances nearly always: identity first, the records' generated equals only when it fails.
            return o instanceof Key other && (gateway == other.gateway || gateway.equals(other.gateway))
                    && target.port() == other.target.port() && target.service().equals(other.target.service())
                    && (target.gatewayIdentity() == other.target.gatewayIdentity()
                            || target.gatewayIdentity().equals(other.target.gatewayIdentity()));
        }

        /** Of the address and the service, whose strings keep their hashes; equals checks the identity too. */
        @Override
        public int hashCode() {
            int hash = gateway.host().hashCode();
            hash = 31 * hash + gateway.port();
            hash = 31 * hash + target.service().hashCode();
            return 31 * hash + target.port();
        }
    }
}
