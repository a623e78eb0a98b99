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
 * @param probe the link's own probe settings, where they differ from the gateway's
 */
public record RemoteTarget(String link, List<Endpoint> gateways, SpiffeId gatewayIdentity, String service, int port,
        ProbeOverrides probe) implements Backend {

    public RemoteTarget {
        requireNonNull(link, "link");
        probe = probe == null ? ProbeOverrides.NONE : probe;
        requireNonNull(gatewayIdentity, "gatewayIdentity");
        requireNonNull(service, "service");
        gateways = List.copyOf(gateways);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** A target probed as the gateway's settings say. */
    public RemoteTarget(String link, List<Endpoint> gateways, SpiffeId gatewayIdentity, String service, int port) {
        this(link, gateways, gatewayIdentity, service, port, ProbeOverrides.NONE);
    }

    /** {@code service:port}, as metrics label it. */
    public String target() {
        return service + ":" + port;
    }
}
