package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.time.Duration;

/**
 * Forwards the requests of one session to the next hop: refuses loops, rewrites the request head
 * (hop-by-hop headers out, the authority set to the next hop's, a {@code Forwarded} element appended)
 * and proxies it. The inbound side forwards to local backends; the outbound side to local backends and
 * to peer gateways, with the same rules.
 */
public final class Forwarder {

    private final GatewayId self;
    private final String forNode;
    private final String proto;
    private final GatewayMetrics metrics;
    private final Duration requestTimeout;
    /** The parts of the appended element that are the same for every request of the session, built once. */
    private final String elementBeforeHost;
    private final String elementAfterHost;
    /** The host of the session's latest request and the element for it: a session's requests nearly always name one host. */
    private String lastHost;
    private String lastElement;

    /**
     * @param self this gateway installation, the {@code by=} of the element it appends and what a loop
     *     brings back; the peer's identity goes into {@code for=} and plays no part in loop detection
     * @param forNode who sent the requests: a peer gateway's identity, or an outbound client's address
     * @param proto how they reached this gateway: {@code https} (mTLS) or {@code http}
     */
    public Forwarder(GatewayId self, String forNode, String proto, GatewayMetrics metrics, Duration requestTimeout) {
        this.self = requireNonNull(self, "self");
        this.forNode = requireNonNull(forNode, "forNode");
        this.proto = requireNonNull(proto, "proto");
        this.metrics = requireNonNull(metrics, "metrics");
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
        this.elementBeforeHost = "by=" + ForwardedHeader.value(self.value()) + ";for=" + ForwardedHeader.value(forNode) + ";host=";
        this.elementAfterHost = ";proto=" + ForwardedHeader.value(proto);
    }

    /**
     * A 508 when the request already passed through this gateway installation (any of its replicas);
     * {@code null} when it did not.
     */
    public Exchange refuseLoop(ClientSide inbound, HttpRequest request) {
        if (!ForwardedHeader.hasBy(request.headers().getAll(ForwardedHeader.NAME), self.value())) {
            return null;
        }
        metrics.rejected(Rejection.LOOP);
        return new LocalReply(inbound, request, 508, "loop detected: the request already passed through this gateway (by=" + self + ")");
    }

    /** Proxies {@code request} to {@code destination} over {@code upstream}, as a request for {@code authority}. */
    public Exchange forward(ClientSide inbound, HttpRequest request, String authority, Destination destination,
            HttpUpstream upstream) {
        try {
            rewrite(request, authority);
        } catch (IllegalArgumentException e) {
            return new LocalReply(inbound, request, 400, "request target '" + request.uri() + "' is not a valid URI");
        }
        return new ProxiedExchange(inbound, request, destination, upstream, metrics, requestTimeout);
    }

    /** An exchange the gateway answers itself with {@code status}, saying {@code reason}. */
    public static Exchange reply(ClientSide inbound, HttpRequest request, int status, String reason) {
        return new LocalReply(inbound, request, status, reason);
    }

    /** ForwardedHeader.element(self, forNode, host, proto), with its constant parts made once and the last one kept. */
    private String element(String host) {
        if (!host.equals(lastHost)) {
            lastElement = elementBeforeHost + ForwardedHeader.value(host) + elementAfterHost;
            lastHost = host;
        }
        return lastElement;
    }

    private void rewrite(HttpRequest request, String authority) {
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        String uri = request.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            // Absolute form: its authority is the one the client meant, and the next hop gets the origin form.
            URI absolute = URI.create(uri);
            host = absolute.getRawAuthority();
            String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
            request.setUri(absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery());
        }
        // Read before Transfer-Encoding, a hop-by-hop header, goes: whether a body follows is framing the next hop needs too.
        boolean bodyFollows = HttpUtil.isTransferEncodingChunked(request);
        HopByHopHeaders.strip(headers);
        headers.set(HttpHeaderNames.HOST, authority);
        headers.add(ForwardedHeader.NAME, element(host != null ? host : authority));
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        MessageFraming.request(request, bodyFollows);
    }
}
