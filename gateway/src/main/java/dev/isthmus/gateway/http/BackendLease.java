package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpObject;

/**
 * One exchange's hold on its upstream, from lease to release: a pooled HTTP/1.1 connection ({@link BackendHandler}), or
 * a stream of a shared HTTP/2 connection ({@link Http2Call}). It takes the request as Netty {@code HttpObject}s and gives
 * the response back the same way, to the {@link Listener} attached, so one exchange serves both protocols. Used only on
 * the event loop of the pool that leased it.
 */
public interface BackendLease {

    /** What an exchange hears from its backend. */
    interface Listener {
        void backendRead(HttpObject msg);

        /** The end of a batch of reads: what the reads produced may leave now. */
        void backendReadComplete();

        void backendWritable();

        /** The backend closed the connection, or reset the stream; no more comes. Heard once, and not after {@link #detach}. */
        void backendClosed();
    }

    void attach(Listener listener);

    void detach();

    /** Writes a piece of the request, whose ownership passes here; it leaves on the next {@link #flush}. */
    void write(HttpObject msg);

    void flush();

    /** Whether the upstream takes more of the request now; {@link Listener#backendWritable} says when it does again. */
    boolean writable();

    /**
     * Resumes or pauses the response, the proxy's backpressure: a paused HTTP/1.1 connection is not read, a paused
     * HTTP/2 stream gives the upstream no flow-control credit for what it sent, so the upstream stops within a window.
     */
    void reading(boolean on);

    /**
     * True when the lease rides on a connection that served earlier exchanges. Such a connection may have been closed by
     * the upstream just as this request went out (the keep-alive race), which is why a safe request that fails on it is
     * tried once more on a new one.
     */
    boolean reused();

    /** HTTP/2: a 1xx response is one whole message, without the empty end an HTTP/1.1 decoder gives it. */
    boolean multiplexed();
}
