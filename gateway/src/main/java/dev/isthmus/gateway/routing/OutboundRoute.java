package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A local listener of the source-cluster gateway and where its traffic goes. A mirrored service has one
 * backend, the remote target; a traffic split has several, weighted. A backend that cannot take traffic
 * (its link is dead, or a local service has no ready endpoint) gives its share to the others.
 *
 * @param port the port the gateway listens on for this route (the mirrored Service's EndpointSlice port)
 * @param name what clients call, such as {@code podinfo-east.test.svc.cluster.local:9898}, for metrics
 * @param protocol what its clients speak, when the service declares it; {@link ClientProtocol#DETECT} otherwise
 */
public record OutboundRoute(int port, String name, List<WeightedBackend> backends, ClientProtocol protocol) {

    /** One backend of a route, and its share of the traffic. */
    public record WeightedBackend(Backend backend, int weight) {
        public WeightedBackend {
            requireNonNull(backend, "backend");
            if (weight < 0) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: 0 or more)");
            }
        }
    }

    public OutboundRoute {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        backends = List.copyOf(backends);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("outbound route " + name + " has no backends (expected at least one)");
        }
    }

    /** A route whose clients' protocol is detected from their first bytes. */
    public OutboundRoute(int port, String name, List<WeightedBackend> backends) {
        this(port, name, backends, ClientProtocol.DETECT);
    }

    /** A mirrored service: everything to one remote target. */
    public static OutboundRoute mirror(int port, String name, RemoteTarget target) {
        return mirror(port, name, target, ClientProtocol.DETECT);
    }

    /** A mirrored service whose clients speak {@code protocol}. */
    public static OutboundRoute mirror(int port, String name, RemoteTarget target, ClientProtocol protocol) {
        return new OutboundRoute(port, name, List.of(new WeightedBackend(target, 1)), protocol);
    }
}
