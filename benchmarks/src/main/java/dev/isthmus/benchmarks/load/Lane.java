package dev.isthmus.benchmarks.load;

/**
 * One connection of the load generator, carrying up to a fixed number of requests at a time: one on an
 * HTTP/1.1 keep-alive connection, the stream budget on an HTTP/2 one. Used on its event loop only.
 * A lane reports every request's end to its {@link LoadLoop}.
 */
interface Lane {

    /** Open, and fewer requests in flight than it may carry. */
    boolean hasCapacity();

    /**
     * Writes one request, without flushing. {@code releasedAt} is the {@link System#nanoTime} the load loop
     * released the request at; its latency counts from then.
     */
    void send(long releasedAt);

    /** Flushes what {@link #send} wrote since the last flush. */
    void flush();

    int inFlight();

    void close();
}
