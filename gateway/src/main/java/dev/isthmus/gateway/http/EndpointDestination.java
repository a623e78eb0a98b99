package dev.isthmus.gateway.http;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.EndpointState;
import dev.isthmus.gateway.upstream.LoadBalancer;

/**
 * A local backend instance, whose outcomes the load balancer counts. It carries the instance's balancer state,
 * so that the start and the end of a request find it without a lookup.
 */
record EndpointDestination(Endpoint endpoint, EndpointState state, LoadBalancer balancer) implements Destination {

    @Override
    public String describe() {
        return "backend " + endpoint;
    }

    @Override
    public String label() {
        return "local";
    }

    @Override
    public int unreachableStatus() {
        return 502;
    }

    @Override
    public void started() {
        balancer.started(state);
    }

    @Override
    public void finished(boolean healthy) {
        balancer.finished(endpoint, state, healthy);
    }
}
