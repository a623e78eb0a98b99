package dev.isthmus.gateway.http;

import dev.isthmus.gateway.GatewayMetrics;

/** Counts the requests of one session: by target, status class and peer, and the body bytes each way. */
final class RequestMetrics {

    /** What is counted for a request whose client went away before its response ended (nginx's convention). */
    static final int CLIENT_CLOSED = 499;

    private final GatewayMetrics metrics;
    private final String target;
    private final String peer;

    RequestMetrics(GatewayMetrics metrics, String target, String peer) {
        this.metrics = metrics;
        this.target = target;
        this.peer = peer;
    }

    void finished(int status, long startNanos) {
        metrics.request(target, status, peer, System.nanoTime() - startNanos);
    }

    void received(long bytes) {
        metrics.bytes(bytes, 0);
    }

    void sent(long bytes) {
        metrics.bytes(0, bytes);
    }
}
