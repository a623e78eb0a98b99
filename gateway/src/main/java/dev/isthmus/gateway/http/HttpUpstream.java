package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Promise;

/**
 * The connections of one event loop to one upstream: a backend instance, or a peer gateway. A leased channel takes a request as Netty
 * {@code HttpObject}s and gives the response back the same way, through its {@link BackendHandler},
 * whether it is a pooled HTTP/1.1 connection or a stream of a shared HTTP/2 connection. Used only on its
 * event loop, so it needs no locks.
 */
public interface HttpUpstream {

    /**
     * Set on every leased channel: true when it rides on a connection that served earlier exchanges. Such a
     * connection may have been closed by the upstream just as this request went out (the keep-alive race),
     * which is why a safe request that fails on it is tried once more on a new one.
     */
    AttributeKey<Boolean> REUSED = AttributeKey.valueOf("isthmus.upstream.reused");

    /**
     * Leases a channel for one exchange; {@code leased} fails when no connection can be had, with a
     * {@link StaleConnectionException} when a pooled connection turned out dead before anything was written.
     */
    void acquire(Promise<Channel> leased);

    /** Leases a channel on a connection made for it, not on an idle pooled one: for the one retry of an exchange. */
    default void acquireFresh(Promise<Channel> leased) {
        acquire(leased);
    }

    /**
     * Gives a leased channel back. {@code reusable} means the exchange finished cleanly both ways: a
     * connection is kept for the next exchange, a stream is left to close by itself. Otherwise it is closed.
     */
    void release(Channel channel, boolean reusable);

    /** True when {@code leased} rides on a connection that served earlier exchanges ({@link #REUSED}). */
    static boolean reused(Channel leased) {
        return Boolean.TRUE.equals(leased.attr(REUSED).get());
    }
}
