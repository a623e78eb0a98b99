package dev.isthmus.gateway.http;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the requests of one session. An inbound session counts by target, status class and peer, and
 * the body bytes each way; an outbound one by route, status class and where each request went.
 * While someone watches the tap, each finished request also becomes a {@link TapEvent}.
 */
public final class RequestMetrics {

    /** What is counted for a request whose client went away before its response ended (nginx's convention). */
    static final int CLIENT_CLOSED = 499;

    private final GatewayMetrics metrics;
    private final String target;
    private final String peer;
    private final boolean outbound;
    private final Tap tap;
    /** An inbound session's meters; {@code null} for an outbound one, whose meters depend on where each request went. */
    private final GatewayMetrics.Requests inbound;
    /**
     * An outbound session's meters by destination, and the latest ones used: nearly every request of a route goes
     * where the one before went. Shared by the connections of the route, which may be on different event loops.
     */
    private final Map<String, GatewayMetrics.Requests> byDestination;
    private volatile GatewayMetrics.Requests latest;

    RequestMetrics(GatewayMetrics metrics, String target, String peer) {
        this(metrics, target, peer, false);
    }

    private RequestMetrics(GatewayMetrics metrics, String target, String peer, boolean outbound) {
        this.metrics = metrics;
        this.target = target;
        this.peer = peer;
        this.outbound = outbound;
        this.tap = metrics.tap();
        this.inbound = outbound ? null : metrics.requests(target, peer);
        this.byDestination = outbound ? new ConcurrentHashMap<>() : null;
    }

    /** The requests of clients on the outbound listener of {@code route}. */
    public static RequestMetrics outbound(GatewayMetrics metrics, String route) {
        return new RequestMetrics(metrics, route, null, true);
    }

    /**
     * @param destination where the request went ({@link Exchange#destination()})
     * @param request the finished request's head and its body bytes each way, for the tap
     */
    void finished(int status, String destination, long startNanos, Request request) {
        long nanos = System.nanoTime() - startNanos;
        (outbound ? outboundMeters(destination) : inbound).record(status, nanos);
        if (tap.watching()) {
            tap.publish(new TapEvent(Instant.now(), outbound ? TapEvent.Direction.OUTBOUND : TapEvent.Direction.INBOUND,
                    outbound ? client(request.channel) : peer, target, destination,
                    request.method == null ? "-" : request.method.name(), TapEvent.pathOf(request.uri), status, nanos,
                    request.bytesIn, request.bytesOut,
                    // Inbound requests all came over mTLS; outbound ones left over it when they went to a peer gateway,
                    // that is anywhere but a local backend ("local") or the gateway's own answer ("none").
                    !outbound || !(destination.equals("local") || destination.equals("none"))));
        }
    }

    private GatewayMetrics.Requests outboundMeters(String destination) {
        GatewayMetrics.Requests meters = latest;
        if (meters == null || !meters.peer().equals(destination)) {
            meters = byDestination.computeIfAbsent(destination, d -> metrics.outboundRequests(target, d));
            latest = meters;
        }
        return meters;
    }

    /** The client of an outbound request: the address of its connection. */
    private static String client(Channel connection) {
        SocketAddress address = connection.remoteAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * What the tap needs of the request in flight: one per HTTP/1.1 connection ({@link HttpProxyHandler}), reused request
     * after request, or one per HTTP/2 stream ({@link Http2ServerStream}).
     */
    static final class Request {
        /** The client's connection. */
        private final Channel channel;
        private HttpMethod method;
        private String uri;
        private long bytesIn;
        private long bytesOut;

        Request(Channel channel) {
            this.channel = channel;
        }

        void begin(HttpRequest head) {
            method = head.method();
            uri = head.uri();
            bytesIn = 0;
            bytesOut = 0;
        }
    }

    /** Body bytes from a peer gateway; an outbound client is no peer, so its bytes are not counted as one's. */
    void received(Request request, long bytes) {
        request.bytesIn += bytes;
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

    void sent(Request request, long bytes) {
        request.bytesOut += bytes;
        if (!outbound) {
            metrics.bytes(0, bytes);
        }
    }
}
