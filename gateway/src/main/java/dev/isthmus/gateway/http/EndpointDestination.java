package dev.isthmus.gateway.http;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.LoadBalancer;

/** A local backend instance, whose outcomes the load balancer counts. */
record EndpointDestination(Endpoint endpoint, LoadBalancer balancer) implements Destination {

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
        balancer.started(endpoint);
    }

    @Override
    public void finished(boolean healthy) {
        balancer.finished(endpoint, healthy);
    }
}
