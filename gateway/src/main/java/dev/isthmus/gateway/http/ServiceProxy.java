package dev.isthmus.gateway.http;

import dev.isthmus.gateway.GatewayMetrics;
import dev.isthmus.gateway.GatewayMetrics.Rejection;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.identity.SpiffeId;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.time.Duration;

/**
 * Answers a session's requests from one exported service: refuses loops, picks a ready instance, and
 * rewrites the request head for the backend (hop-by-hop headers out, {@code Host} set to the service,
 * a {@code Forwarded} element appended).
 */
final class ServiceProxy implements Responder {

    private final ExportedService service;
    private final SpiffeId self;
    private final SpiffeId peer;
    private final UpstreamPools pools;
    private final LoadBalancer balancer;
    private final GatewayMetrics metrics;
    private final Duration requestTimeout;

    ServiceProxy(ExportedService service, SpiffeId self, SpiffeId peer, UpstreamPools pools, LoadBalancer balancer,
            GatewayMetrics metrics, Duration requestTimeout) {
        this.service = service;
        this.self = self;
        this.peer = peer;
        this.pools = pools;
        this.balancer = balancer;
        this.metrics = metrics;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public Exchange exchange(HttpProxyHandler inbound, HttpRequest request) {
        if (ForwardedHeader.hasBy(request.headers().getAll(ForwardedHeader.NAME), self.toString())) {
            metrics.rejected(Rejection.LOOP);
            return new LocalReply(inbound, request, 508, "loop detected: the request already passed through " + self);
        }
        Endpoint endpoint = balancer.pick(service.readyEndpoints());
        if (endpoint == null) {
            metrics.rejected(Rejection.NO_ENDPOINTS);
            return new LocalReply(inbound, request, 503, "no ready endpoints for " + service.target());
        }
        try {
            rewrite(request);
        } catch (IllegalArgumentException e) {
            return new LocalReply(inbound, request, 400, "request target '" + request.uri() + "' is not a valid URI");
        }
        HttpUpstream upstream = pools.pool(inbound.eventLoop(), endpoint, service.protocol());
        return new ProxiedExchange(inbound, request, endpoint, upstream, balancer, metrics, requestTimeout);
    }

    private void rewrite(HttpRequest request) {
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        String uri = request.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            // Absolute form: its authority is the one the client meant, and the backend gets the origin form.
            URI absolute = URI.create(uri);
            host = absolute.getRawAuthority();
            String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
            request.setUri(absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery());
        }
        HopByHopHeaders.strip(headers);
        headers.set(HttpHeaderNames.HOST, service.target());
        headers.add(ForwardedHeader.NAME, ForwardedHeader.element(self, peer, host != null ? host : service.target(), "https"));
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        MessageFraming.request(request);
    }
}
