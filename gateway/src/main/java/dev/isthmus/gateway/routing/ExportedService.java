package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A local service port that peers in other clusters may reach through this gateway.
 *
 * @param name the service's FQDN, {@code <svc>.<ns>.svc.<cluster-domain>}
 */
public record ExportedService(String name, int port, BackendProtocol protocol, List<Endpoint> endpoints)
        implements Backend {

    public ExportedService {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        endpoints = List.copyOf(endpoints);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** {@code name:port}, as peers name it in the transport header and as metrics label it. */
    public String target() {
        return name + ":" + port;
    }

    /** Asked once per request: when every endpoint is ready, as it mostly is, the list itself, with no copy made. */
    public List<Endpoint> readyEndpoints() {
        int ready = 0;
        for (Endpoint endpoint : endpoints) {
            if (endpoint.ready()) {
                ready++;
            }
        }
        if (ready == endpoints.size()) {
            return endpoints;
        }
        List<Endpoint> some = new ArrayList<>(ready);
        for (Endpoint endpoint : endpoints) {
            if (endpoint.ready()) {
                some.add(endpoint);
            }
        }
        return Collections.unmodifiableList(some);
    }
}
