package dev.isthmus.mirror.routes;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.routes.RouteMapping.Skipped;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Exported Services to the inbound side's {@link ExportedService}s, with their endpoints from their EndpointSlices. */
final class InboundMapping {

    private final String clusterDomain;
    private final Map<String, List<EndpointSlice>> slicesByService;
    private final List<Skipped> skipped;

    /**
     * @param slicesByService EndpointSlices by the {@code namespace/name} of their Service
     * @param skipped where what cannot be mapped is reported
     */
    InboundMapping(String clusterDomain, Map<String, List<EndpointSlice>> slicesByService, List<Skipped> skipped) {
        this.clusterDomain = clusterDomain;
        this.slicesByService = slicesByService;
        this.skipped = skipped;
    }

    /** Adds an exported service per TCP port of {@code service}; a port that cannot be mapped is left out alone. */
    void export(Service service, List<ExportedService> exported) {
        BackendProtocol declared;
        try {
            declared = Protocols.annotated(service);
        } catch (Unmappable e) {
            skipped.add(new Skipped("inbound", Services.describe(service), e.getMessage()));
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (ServicePort port : Services.tcpPorts(service)) {
            if (!seen.add(port.getPort())) {
                skipped.add(new Skipped("inbound", Services.describe(service) + " port " + port.getPort(),
                        "the port is listed twice (expected each port once); kept the first"));
                continue;
            }
            try {
                exported.add(local(service, port, declared));
            } catch (Unmappable e) {
                skipped.add(new Skipped("inbound", Services.describe(service) + " port " + port.getPort(), e.getMessage()));
            }
        }
    }

    /** {@code service}'s {@code port} as a local backend; {@code declared} (its annotation) wins over {@code appProtocol}. */
    ExportedService local(Service service, ServicePort port, BackendProtocol declared) throws Unmappable {
        BackendProtocol protocol = declared != null ? declared : Protocols.app(port);
        return new ExportedService(Services.fqdn(service, clusterDomain), port.getPort(), protocol, endpoints(service, port));
    }

    /** The Service's ready and not-ready endpoints for {@code port}, from its EndpointSlices' port of the same name. */
    private List<Endpoint> endpoints(Service service, ServicePort port) {
        String name = port.getName() == null ? "" : port.getName();
        Map<String, Endpoint> found = new TreeMap<>();
        for (EndpointSlice slice : slicesByService.getOrDefault(Metadata.key(service), List.of())) {
            Integer target = null;
            for (EndpointPort candidate : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                String candidateName = candidate.getName() == null ? "" : candidate.getName();
                boolean tcp = candidate.getProtocol() == null || "TCP".equals(candidate.getProtocol());
                if (candidateName.equals(name) && tcp && candidate.getPort() != null) {
                    target = candidate.getPort();
                    break;
                }
            }
            if (target == null || slice.getEndpoints() == null) {
                continue;
            }
            for (var endpoint : slice.getEndpoints()) {
                if (endpoint == null || endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                // Kubernetes: the addresses of one endpoint are fungible, and consumers use the first.
                String address = endpoint.getAddresses().get(0);
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                Endpoint parsed;
                try {
                    parsed = new Endpoint(address == null ? "" : address, target, ready);
                } catch (IllegalArgumentException e) {
                    skipped.add(new Skipped("endpoints", "EndpointSlice " + Metadata.key(slice), e.getMessage()));
                    continue;
                }
                // One address in two slices (a slice being replaced): ready if either says so.
                found.merge(parsed.host() + ":" + parsed.port(), parsed, (a, b) -> a.ready() ? a : b);
            }
        }
        return List.copyOf(found.values());
    }
}
