package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Promise;

/**
 * The connections of one event loop to one backend instance. A leased channel takes a request as Netty
 * {@code HttpObject}s and gives the response back the same way, through its {@link BackendHandler},
 * whether it is a pooled HTTP/1.1 connection or a stream of a shared h2c connection. Used only on its
 * event loop, so it needs no locks.
 */
interface HttpUpstream {

    /** Leases a channel for one exchange; {@code leased} fails when no connection can be had. */
    void acquire(Promise<Channel> leased);

    /**
     * Gives a leased channel back. {@code reusable} means the exchange finished cleanly both ways: a
     * connection is kept for the next exchange, a stream is left to close by itself. Otherwise it is closed.
     */
    void release(Channel channel, boolean reusable);
}
