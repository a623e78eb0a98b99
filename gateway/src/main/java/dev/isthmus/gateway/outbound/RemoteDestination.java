package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.http.Destination;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;

/**
 * A remote target, reached through one address of its cluster's gateway. Its failures need no
 * bookkeeping per request: connection failures are the {@link ReconnectBackoff}'s, and link health is
 * the probe's.
 */
record RemoteDestination(RemoteTarget target, Endpoint gateway) implements Destination {

    @Override
    public String describe() {
        return "remote gateway " + gateway + " (link " + target.link() + ", for " + target.target() + ")";
    }

    @Override
    public String label() {
        return target.link();
    }

    @Override
    public int unreachableStatus() {
        return 503;
    }

    @Override
    public void started() {}

    @Override
    public void finished(boolean healthy) {}
}
