package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Promise;

/**
 * The connections of one event loop to one upstream: a backend instance, or a peer gateway. A leased channel takes a request as Netty
 * {@code HttpObject}s and gives the response back the same way, through its {@link BackendHandler},
 * whether it is a pooled HTTP/1.1 connection or a stream of a shared HTTP/2 connection. Used only on its
 * event loop, so it needs no locks.
 */
public interface HttpUpstream {

    /** Leases a channel for one exchange; {@code leased} fails when no connection can be had. */
    void acquire(Promise<Channel> leased);

    /**
     * Gives a leased channel back. {@code reusable} means the exchange finished cleanly both ways: a
     * connection is kept for the next exchange, a stream is left to close by itself. Otherwise it is closed.
     */
    void release(Channel channel, boolean reusable);
}
