package dev.isthmus.gateway.http;

import io.netty.util.concurrent.Promise;

/**
 * The connections of one event loop to one upstream: a backend instance, or a peer gateway. Each exchange leases a
 * {@link BackendLease}, a pooled HTTP/1.1 connection or a stream of a shared HTTP/2 connection, and gives it back.
 * Used only on its event loop, so it needs no locks.
 */
public interface HttpUpstream {

    /**
     * Leases a way to the upstream for one exchange; {@code leased} fails when no connection can be had, with a
     * {@link StaleConnectionException} when a pooled connection turned out dead before anything was written.
     */
    void acquire(Promise<BackendLease> leased);

    /** Leases a way on a connection made for it, not on an idle pooled one: for the one retry of an exchange. */
    default void acquireFresh(Promise<BackendLease> leased) {
        acquire(leased);
    }

    /**
     * Gives a lease back. {@code reusable} means the exchange finished cleanly both ways: a connection is kept for the
     * next exchange, a stream is left to close by itself. Otherwise the connection is closed, the stream reset.
     */
    void release(BackendLease lease, boolean reusable);
}
