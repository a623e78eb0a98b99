package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import java.util.List;

/**
 * A linked cluster's gateway, probed from the moment its Link exists, whether or not a route goes through
 * it yet: as in Linkerd, {@code multicluster gateways} shows a new link alive, with its latency, before
 * anything has been exported.
 *
 * @param link the Link's name (the remote cluster's)
 * @param gateways the remote gateway's addresses, tried in turn
 * @param identity the identity the remote gateway's certificate must carry, exactly
 * @param probe the link's own probe settings, where they differ from the gateway's
 */
public record LinkedGateway(String link, List<Endpoint> gateways, SpiffeId identity, ProbeOverrides probe) {

    public LinkedGateway {
        requireNonNull(link, "link");
        requireNonNull(identity, "identity");
        gateways = List.copyOf(gateways);
        probe = probe == null ? ProbeOverrides.NONE : probe;
    }

    /** The target of {@code service:port} in the linked cluster, through this gateway. */
    public RemoteTarget target(String service, int port) {
        return new RemoteTarget(link, gateways, identity, service, port, probe);
    }
}
