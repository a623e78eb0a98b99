package dev.isthmus.gateway.http;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.upstream.LoadBalancer;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Answers a session's requests from one local service: refuses loops, picks a ready instance, and
 * forwards the request to it with {@code Host} set to the service.
 */
final class ServiceProxy implements Responder {

    private final ExportedService service;
    private final Forwarder forwarder;
    private final UpstreamPools pools;
    private final LoadBalancer balancer;
    private final GatewayMetrics metrics;
    /** The authority every request leaves with; {@link ExportedService#target()} builds a new string each time. */
    private final String target;

    ServiceProxy(ExportedService service, Forwarder forwarder, UpstreamPools pools, LoadBalancer balancer, GatewayMetrics metrics) {
        this.service = service;
        this.forwarder = forwarder;
        this.pools = pools;
        this.balancer = balancer;
        this.metrics = metrics;
        this.target = service.target();
    }

    @Override
    public Exchange exchange(ClientSide inbound, HttpRequest request) {
        Exchange loop = forwarder.refuseLoop(inbound, request);
        if (loop != null) {
            return loop;
        }
        Endpoint endpoint = balancer.pick(service.readyEndpoints());
        if (endpoint == null) {
            metrics.rejected(Rejection.NO_ENDPOINTS);
            return new LocalReply(inbound, request, 503, "no ready endpoints for " + target);
        }
        return forwarder.forward(inbound, request, target, new EndpointDestination(endpoint, balancer),
                pools.pool(inbound.eventLoop(), endpoint, service.protocol()));
    }
}
