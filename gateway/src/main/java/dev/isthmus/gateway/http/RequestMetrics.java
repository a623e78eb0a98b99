package dev.isthmus.gateway.http;

import dev.isthmus.gateway.GatewayMetrics;
import dev.isthmus.gateway.GatewayMetrics.Rejection;

/**
 * Counts the requests of one session. An inbound session counts by target, status class and peer, and
 * the body bytes each way; an outbound one by route, status class and where each request went.
 */
public final class RequestMetrics {

    /** What is counted for a request whose client went away before its response ended (nginx's convention). */
    static final int CLIENT_CLOSED = 499;

    private final GatewayMetrics metrics;
    private final String target;
    private final String peer;
    private final boolean outbound;

    RequestMetrics(GatewayMetrics metrics, String target, String peer) {
        this(metrics, target, peer, false);
    }

    private RequestMetrics(GatewayMetrics metrics, String target, String peer, boolean outbound) {
        this.metrics = metrics;
        this.target = target;
        this.peer = peer;
        this.outbound = outbound;
    }

    /** The requests of clients on the outbound listener of {@code route}. */
    public static RequestMetrics outbound(GatewayMetrics metrics, String route) {
        return new RequestMetrics(metrics, route, null, true);
    }

    /** @param destination where the request went ({@link Exchange#destination()}) */
    void finished(int status, String destination, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        if (outbound) {
            metrics.outboundRequest(target, status, destination, nanos);
        } else {
            metrics.request(target, status, peer, nanos);
        }
    }

    /** Body bytes from a peer gateway; an outbound client is no peer, so its bytes are not counted as one's. */
    void received(long bytes) {
        if (!outbound) {
            metrics.bytes(bytes, 0);
        }
    }

    /** A request (or a session's wait for one) the gateway refused itself, counted on the side it came in on. */
    void rejected(Rejection rejection) {
        if (outbound) {
            metrics.outboundRejected(rejection);
        } else {
            metrics.rejected(rejection);
        }
    }

    void sent(long bytes) {
        if (!outbound) {
            metrics.bytes(0, bytes);
        }
    }
}
