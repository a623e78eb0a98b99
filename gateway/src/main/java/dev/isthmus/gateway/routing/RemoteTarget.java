package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import java.util.List;

/**
 * A service in another cluster, reached through that cluster's gateway.
 *
 * @param link the Link it came through (the remote cluster's name): probes and metrics are per link
 * @param gateways the remote gateway's addresses (its LoadBalancer), tried in turn
 * @param gatewayIdentity the identity the remote gateway's certificate must carry, exactly
 * @param service the service's FQDN in the remote cluster, as the transport header names it
 * @param port the service's port there
 */
public record RemoteTarget(String link, List<Endpoint> gateways, SpiffeId gatewayIdentity, String service, int port)
        implements Backend {

    public RemoteTarget {
        requireNonNull(link, "link");
        requireNonNull(gatewayIdentity, "gatewayIdentity");
        requireNonNull(service, "service");
        gateways = List.copyOf(gateways);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** {@code service:port}, as metrics label it. */
    public String target() {
        return service + ":" + port;
    }
}
