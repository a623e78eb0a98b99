package dev.isthmus.mirror.routes;

import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.routes.RouteMapping.Candidate;
import dev.isthmus.mirror.routes.RouteMapping.Skipped;
import dev.isthmus.mirror.split.Apex;
import dev.isthmus.mirror.split.SplitWeights;
import dev.isthmus.mirror.split.TrafficSplit;
import dev.isthmus.mirror.split.TrafficSplitSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Accepted TrafficSplits to weighted outbound routes on their apex's gateway ports, each backend a local
 * Service ({@link InboundMapping}) or a mirror ({@link MirrorMapping}).
 */
final class SplitMapping {

    private record Backend(dev.isthmus.gateway.routing.Backend backend, long milli) {}

    private final String clusterDomain;
    private final Map<String, Service> services;
    private final InboundMapping locals;
    private final MirrorMapping mirrors;
    private final List<Skipped> skipped;

    /** @param services every Service of the cluster by {@code namespace/name}: apexes and backends */
    SplitMapping(String clusterDomain, Map<String, Service> services, InboundMapping locals, MirrorMapping mirrors,
            List<Skipped> skipped) {
        this.clusterDomain = clusterDomain;
        this.services = services;
        this.locals = locals;
        this.mirrors = mirrors;
        this.skipped = skipped;
    }

    void split(TrafficSplit split, List<Candidate> outbound) {
        TrafficSplitSpec spec = split.getSpec();
        String object = "TrafficSplit " + Metadata.key(split);
        if (spec == null || spec.service == null || spec.service.isBlank()) {
            skipped.add(new Skipped("split", object, "spec.service is empty (expected the apex Service's name)"));
            return;
        }
        Service apex = services.get(split.getMetadata().getNamespace() + "/" + spec.service);
        if (apex == null || !Apex.belongsTo(apex, split)) {
            return; // not accepted (yet): the split controller says why on the TrafficSplit's status
        }
        Map<Integer, Integer> gatewayPorts;
        try {
            gatewayPorts = GatewayPorts.parse(Metadata.annotations(apex).get(Apex.GATEWAY_PORTS_ANNOTATION));
        } catch (IllegalArgumentException e) {
            skipped.add(new Skipped("split", object, "apex " + Services.describe(apex) + ": "
                    + e.getMessage().replace(Names.GATEWAY_PORTS_ANNOTATION, Apex.GATEWAY_PORTS_ANNOTATION)));
            return;
        }
        List<TrafficSplitSpec.Backend> backends = spec.backends == null ? List.of() : spec.backends;
        for (ServicePort apexPort : Services.tcpPorts(apex)) {
            Integer gatewayPort = gatewayPorts.get(apexPort.getPort());
            if (gatewayPort == null) {
                skipped.add(new Skipped("split", object + " port " + apexPort.getPort(), "the apex's annotation "
                        + Apex.GATEWAY_PORTS_ANNOTATION + " gives it no gateway port"));
                continue;
            }
            List<Backend> resolved = new ArrayList<>();
            for (int i = 0; i < backends.size(); i++) {
                try {
                    resolved.add(backend(split, apex, apexPort, backends.get(i), "spec.backends[" + i + "]"));
                } catch (Unmappable e) {
                    skipped.add(new Skipped("split", object + " port " + apexPort.getPort(), e.getMessage()));
                }
            }
            if (resolved.isEmpty()) {
                skipped.add(new Skipped("split", object + " port " + apexPort.getPort(),
                        "no backend could be resolved (expected at least one local or mirrored Service)"));
                continue;
            }
            List<Integer> weights = SplitWeights.reduce(resolved.stream().map(Backend::milli).toList());
            List<WeightedBackend> weighted = new ArrayList<>();
            for (int i = 0; i < resolved.size(); i++) {
                weighted.add(new WeightedBackend(resolved.get(i).backend(), weights.get(i)));
            }
            outbound.add(new Candidate(new OutboundRoute(gatewayPort, Services.fqdn(apex, clusterDomain) + ":"
                    + apexPort.getPort(), weighted), "split", split));
        }
    }

    private Backend backend(TrafficSplit split, Service apex, ServicePort apexPort, TrafficSplitSpec.Backend backend, String path)
            throws Unmappable {
        if (backend == null || backend.service == null || backend.service.isBlank()) {
            throw new Unmappable(path + ".service is empty (expected a Service's name)");
        }
        long milli;
        try {
            milli = SplitWeights.milli(backend.weight);
        } catch (IllegalArgumentException e) {
            throw new Unmappable(path + "." + e.getMessage());
        }
        Service service = services.get(split.getMetadata().getNamespace() + "/" + backend.service);
        if (service == null) {
            throw new Unmappable(path + ": no Service " + split.getMetadata().getNamespace() + "/" + backend.service
                    + " (expected a local Service or a mirrored one such as podinfo-east)");
        }
        if (service == apex || Apex.isOurs(service)) {
            throw new Unmappable(path + ": " + Services.describe(service)
                    + " is a split apex (expected a Service with endpoints or a mirror)");
        }
        ServicePort port = matchingPort(service, apexPort);
        if (port == null) {
            throw new Unmappable(path + ": " + Services.describe(service) + " has no port " + apexPort.getPort()
                    + (apexPort.getName() == null || apexPort.getName().isEmpty() ? "" : " or named " + apexPort.getName())
                    + " (expected the backends to share the apex's ports)");
        }
        try {
            return new Backend(Services.isMirror(service) ? mirrors.remote(service, port)
                    : locals.local(service, port, Protocols.annotated(service)), milli);
        } catch (Unmappable e) {
            throw new Unmappable(path + ": " + Services.describe(service) + ": " + e.getMessage());
        }
    }

    /** The backend's port for the apex's: the same number, else the same name. */
    private static ServicePort matchingPort(Service service, ServicePort apexPort) {
        List<ServicePort> ports = Services.tcpPorts(service);
        for (ServicePort port : ports) {
            if (Objects.equals(port.getPort(), apexPort.getPort())) {
                return port;
            }
        }
        String name = apexPort.getName();
        if (name != null && !name.isEmpty()) {
            for (ServicePort port : ports) {
                if (name.equals(port.getName())) {
                    return port;
                }
            }
        }
        return null;
    }
}
