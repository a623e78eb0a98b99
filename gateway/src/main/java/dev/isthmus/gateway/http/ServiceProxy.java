package dev.isthmus.gateway.http;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.upstream.EndpointState;
import dev.isthmus.gateway.upstream.LoadBalancer;
import io.netty.handler.codec.http.HttpRequest;
import java.util.function.Supplier;

/**
 * Answers a session's requests from one local service: refuses loops, picks a ready instance of the service
 * as it is now (a session outlives the endpoints it was routed with), and forwards the request to it with
 * {@code Host} set to the service.
 */
final class ServiceProxy implements Responder {

    private final Supplier<ExportedService> service;
    private final Forwarder forwarder;
    private final UpstreamPools pools;
    private final LoadBalancer balancer;
    private final GatewayMetrics metrics;
    /** The authority every request leaves with, and how errors name the service; built once, not per request. */
    private final String target;
    /**
     * The instance picked last and its balancer state: most requests go to an instance picked before, and find
     * its state here instead of in the balancer's map. Immutable, so the event loops sharing this proxy (the
     * connections of one peer) may race on it harmlessly.
     */
    private volatile Picked latest;

    private record Picked(Endpoint endpoint, EndpointState state) {}

    /**
     * @param service the service of the moment, {@code null} once it is no longer exported
     * @param target the service's {@code name:port}: the authority requests leave with, and how errors name it
     */
    ServiceProxy(Supplier<ExportedService> service, String target, Forwarder forwarder, UpstreamPools pools, LoadBalancer balancer, GatewayMetrics metrics) {
        this.service = service;
        this.target = target;
        this.forwarder = forwarder;
        this.pools = pools;
        this.balancer = balancer;
        this.metrics = metrics;
    }

    @Override
    public Exchange exchange(ClientSide inbound, HttpRequest request) {
        Exchange loop = forwarder.refuseLoop(inbound, request);
        if (loop != null) {
            return loop;
        }
        ExportedService current = service.get();
        if (current == null) {
            metrics.rejected(Rejection.NOT_EXPORTED);
            return new LocalReply(inbound, request, 404, target + " is not exported");
        }
        Endpoint endpoint = balancer.pick(current.readyEndpoints());
        if (endpoint == null) {
            metrics.rejected(Rejection.NO_ENDPOINTS);
            return new LocalReply(inbound, request, 503, "no ready endpoints for " + target);
        }
        return forwarder.forward(inbound, request, target, new EndpointDestination(endpoint, stateOf(endpoint), balancer),
                pools.pool(inbound.eventLoop(), endpoint, current.protocol()));
    }

    private EndpointState stateOf(Endpoint endpoint) {
        Picked picked = latest;
        if (picked == null || !picked.endpoint().equals(endpoint)) {
            picked = new Picked(endpoint, balancer.state(endpoint));
            latest = picked;
        }
        return picked.state();
    }
}
