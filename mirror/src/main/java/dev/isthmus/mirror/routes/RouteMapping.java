package dev.isthmus.mirror.routes;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.ClientProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.ProbeOverrides;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.yaml.YamlNode;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.split.Apex;
import dev.isthmus.mirror.split.SplitWeights;
import dev.isthmus.mirror.split.TrafficSplit;
import dev.isthmus.mirror.split.TrafficSplitSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The gateway's route table from the objects of its own cluster, as {@code docs/kubernetes.md} maps them:
 * exported Services become inbound {@link ExportedService}s, mirrored Services outbound routes to their
 * Link's remote gateway, accepted TrafficSplits weighted outbound routes. A pure function: an object that
 * cannot be mapped (a malformed annotation, a missing Link) is left out and reported as {@link Skipped},
 * never the whole table.
 */
public final class RouteMapping {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * One object, or one port of it, left out of the table.
     *
     * @param kind {@code inbound}, {@code outbound} or {@code split}: which part of the table it was for
     * @param object such as {@code Service test/podinfo-east}
     */
    public record Skipped(String kind, String object, String reason) {
        @Override
        public String toString() {
            return kind + " " + object + ": " + reason;
        }
    }

    public record Result(RouteTable table, List<Skipped> skipped) {}

    /** An outbound route and the object whose it is: the older object keeps a gateway port two claim. */
    private record Candidate(OutboundRoute route, String kind, HasMetadata owner) {}

    /** Why an object or port cannot be mapped; becomes a {@link Skipped}. */
    private static final class Unmappable extends Exception {
        Unmappable(String message) {
            super(message, null, false, false);
        }
    }

    private final String clusterDomain;
    private final ExportSelector selector;
    private final Map<String, Service> services = new TreeMap<>();
    private final Map<String, List<EndpointSlice>> slices = new HashMap<>();
    private final Map<String, Link> links = new HashMap<>();
    private final List<Skipped> skipped = new ArrayList<>();

    private RouteMapping(String clusterDomain, ExportSelector selector) {
        this.clusterDomain = clusterDomain;
        this.selector = selector;
    }

    public static Result map(ClusterObjects objects, String clusterDomain, ExportSelector selector) {
        requireNonNull(objects, "objects");
        RouteMapping mapping = new RouteMapping(requireNonNull(clusterDomain, "clusterDomain"), requireNonNull(selector, "selector"));
        return mapping.run(objects);
    }

    private Result run(ClusterObjects objects) {
        for (Service service : objects.services()) {
            services.put(key(service), service);
        }
        for (EndpointSlice slice : objects.slices()) {
            String service = labels(slice).get(Names.SERVICE_NAME_LABEL);
            if (service != null) {
                slices.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service, k -> new ArrayList<>()).add(slice);
            }
        }
        for (Link link : objects.links()) {
            if (Names.MULTICLUSTER_NAMESPACE.equals(link.getMetadata().getNamespace())) {
                links.put(link.getMetadata().getName(), link);
            }
        }
        List<ExportedService> exported = new ArrayList<>();
        List<Candidate> outbound = new ArrayList<>();
        for (Service service : services.values()) {
            if (!validName(service)) {
                skipped.add(new Skipped("service", describe(service), "the name is not a DNS label (expected <name>.<namespace>)"));
            } else if (isMirror(service)) {
                mirror(service, outbound);
            } else if (!Apex.isOurs(service) && selector.matches(service.getMetadata().getLabels())) {
                export(service, exported);
            }
        }
        List<TrafficSplit> splits = new ArrayList<>(objects.splits());
        splits.sort(Comparator.comparing(RouteMapping::key));
        for (TrafficSplit split : splits) {
            split(split, outbound);
        }
        List<LinkedGateway> gateways = new ArrayList<>();
        for (String name : new TreeSet<>(links.keySet())) {
            try {
                gateways.add(gateway(name));
            } catch (Unmappable e) {
                skipped.add(new Skipped("link", name, e.getMessage()));
            }
        }
        return new Result(new RouteTable(clusterDomain, exported, claimPorts(outbound), gateways), List.copyOf(skipped));
    }

    private void export(Service service, List<ExportedService> exported) {
        BackendProtocol declared;
        try {
            declared = annotatedProtocol(service);
        } catch (Unmappable e) {
            skipped.add(new Skipped("inbound", describe(service), e.getMessage()));
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (ServicePort port : tcpPorts(service)) {
            if (!seen.add(port.getPort())) {
                skipped.add(new Skipped("inbound", describe(service) + " port " + port.getPort(),
                        "the port is listed twice (expected each port once); kept the first"));
                continue;
            }
            try {
                exported.add(local(service, port, declared));
            } catch (Unmappable e) {
                skipped.add(new Skipped("inbound", describe(service) + " port " + port.getPort(), e.getMessage()));
            }
        }
    }

    private ExportedService local(Service service, ServicePort port, BackendProtocol declared) throws Unmappable {
        BackendProtocol protocol = declared != null ? declared : appProtocol(port);
        return new ExportedService(fqdn(service), port.getPort(), protocol, endpoints(service, port));
    }

    private void mirror(Service service, List<Candidate> outbound) {
        Map<Integer, Integer> gatewayPorts;
        try {
            gatewayPorts = GatewayPorts.parse(annotations(service).get(Names.GATEWAY_PORTS_ANNOTATION));
            if (gatewayPorts.isEmpty()) {
                throw new Unmappable("no annotation " + Names.GATEWAY_PORTS_ANNOTATION
                        + " (expected servicePort=gatewayPort pairs, written by the mirror controller)");
            }
            remote(service, tcpPorts(service).stream().findFirst().orElse(null));
        } catch (IllegalArgumentException | Unmappable e) {
            skipped.add(new Skipped("outbound", describe(service), e.getMessage()));
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (ServicePort port : tcpPorts(service)) {
            Integer gatewayPort = gatewayPorts.get(port.getPort());
            if (!seen.add(port.getPort())) {
                skipped.add(new Skipped("outbound", describe(service) + " port " + port.getPort(),
                        "the port is listed twice (expected each port once); kept the first"));
            } else if (gatewayPort == null) {
                skipped.add(new Skipped("outbound", describe(service) + " port " + port.getPort(), "annotation "
                        + Names.GATEWAY_PORTS_ANNOTATION + " gives it no gateway port (expected " + port.getPort() + "=<port>)"));
            } else {
                try {
                    outbound.add(new Candidate(OutboundRoute.mirror(gatewayPort, fqdn(service) + ":" + port.getPort(),
                            remote(service, port), clientProtocol(service, port)), "outbound", service));
                } catch (Unmappable e) {
                    skipped.add(new Skipped("outbound", describe(service) + " port " + port.getPort(), e.getMessage()));
                }
            }
        }
    }

    /** The remote target behind mirrored {@code service}'s {@code port}, through its Link; {@code port} null checks the rest. */
    private RemoteTarget remote(Service service, ServicePort port) throws Unmappable {
        String cluster = labels(service).get(Names.CLUSTER_NAME_LABEL);
        if (cluster == null || cluster.isBlank()) {
            throw new Unmappable("no label " + Names.CLUSTER_NAME_LABEL + " (expected the name of the Link it came through)");
        }
        LinkedGateway gateway = gateway(cluster);
        String remoteName = annotations(service).get(Names.REMOTE_FQDN_ANNOTATION);
        if (remoteName == null || remoteName.isBlank()) {
            throw new Unmappable("no annotation " + Names.REMOTE_FQDN_ANNOTATION + " (expected <svc>.<ns>.svc.<remote domain>)");
        }
        return port == null ? null : gateway.target(remoteName, port.getPort());
    }

    /** The gateway of Link {@code cluster}: its identity, its addresses on its gateway port, its probe settings. */
    private LinkedGateway gateway(String cluster) throws Unmappable {
        Link link = links.get(cluster);
        if (link == null || link.getSpec() == null) {
            throw new Unmappable("no Link '" + cluster + "' in namespace " + Names.MULTICLUSTER_NAMESPACE
                    + " (expected the Link named by its label " + Names.CLUSTER_NAME_LABEL + ")");
        }
        SpiffeId identity;
        try {
            identity = SpiffeId.parse(String.valueOf(link.getSpec().gatewayIdentity));
        } catch (IllegalArgumentException e) {
            throw new Unmappable("Link " + cluster + ": spec.gatewayIdentity: " + e.getMessage());
        }
        int gatewayPort = link.getSpec().gatewayPort == null ? Names.GATEWAY_PORT : link.getSpec().gatewayPort;
        if (gatewayPort < 1 || gatewayPort > 65535) {
            throw new Unmappable("Link " + cluster + ": spec.gatewayPort: " + gatewayPort + " (expected: 1-65535)");
        }
        List<Endpoint> gateways = new ArrayList<>();
        for (String address : gatewayAddresses(link)) {
            try {
                gateways.add(new Endpoint(address, gatewayPort, true));
            } catch (IllegalArgumentException e) {
                throw new Unmappable("Link " + cluster + ": gateway address '" + address + "': " + e.getMessage());
            }
        }
        return new LinkedGateway(cluster, gateways, identity, probe(link.getSpec().probeSpec));
    }

    /**
     * The Link's {@code spec.probeSpec}: its period, timeout and failure threshold, where set. The CRD's
     * schema admits only values the gateway can use; one that slipped past it (no schema installed) leaves
     * the gateway's own setting in place rather than the link without routes.
     */
    private static ProbeOverrides probe(LinkSpec.ProbeSpec spec) {
        if (spec == null) {
            return ProbeOverrides.NONE;
        }
        try {
            return new ProbeOverrides(duration(spec.period), duration(spec.timeout), spec.failureThreshold);
        } catch (IllegalArgumentException e) {
            return ProbeOverrides.NONE;
        }
    }

    private static java.time.Duration duration(String text) {
        try {
            return text == null ? null : YamlNode.parseDuration(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code status.gatewayAddresses} when the mirror controller has resolved them, else {@code spec.gatewayAddress}. */
    private static List<String> gatewayAddresses(Link link) {
        List<String> addresses = new ArrayList<>();
        if (link.getStatus() != null && link.getStatus().gatewayAddresses != null) {
            link.getStatus().gatewayAddresses.stream().filter(Objects::nonNull).map(String::trim).filter(a -> !a.isEmpty())
                    .forEach(addresses::add);
        }
        if (addresses.isEmpty() && link.getSpec().gatewayAddress != null) {
            for (String address : link.getSpec().gatewayAddress.split(",")) {
                if (!address.isBlank()) {
                    addresses.add(address.trim());
                }
            }
        }
        // An IPv6 literal may come bracketed; Endpoint wants it bare.
        addresses.replaceAll(a -> a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a);
        return addresses.stream().distinct().toList();
    }

    private void split(TrafficSplit split, List<Candidate> outbound) {
        TrafficSplitSpec spec = split.getSpec();
        String object = "TrafficSplit " + key(split);
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
            gatewayPorts = GatewayPorts.parse(annotations(apex).get(Apex.GATEWAY_PORTS_ANNOTATION));
        } catch (IllegalArgumentException e) {
            skipped.add(new Skipped("split", object, "apex " + describe(apex) + ": "
                    + e.getMessage().replace(Names.GATEWAY_PORTS_ANNOTATION, Apex.GATEWAY_PORTS_ANNOTATION)));
            return;
        }
        List<TrafficSplitSpec.Backend> backends = spec.backends == null ? List.of() : spec.backends;
        for (ServicePort apexPort : tcpPorts(apex)) {
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
            outbound.add(new Candidate(new OutboundRoute(gatewayPort, fqdn(apex) + ":" + apexPort.getPort(), weighted), "split", split));
        }
    }

    private record Backend(dev.isthmus.gateway.routing.Backend backend, long milli) {}

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
            throw new Unmappable(path + ": " + describe(service) + " is a split apex (expected a Service with endpoints or a mirror)");
        }
        ServicePort port = matchingPort(service, apexPort);
        if (port == null) {
            throw new Unmappable(path + ": " + describe(service) + " has no port " + apexPort.getPort()
                    + (apexPort.getName() == null || apexPort.getName().isEmpty() ? "" : " or named " + apexPort.getName())
                    + " (expected the backends to share the apex's ports)");
        }
        try {
            return new Backend(isMirror(service) ? remote(service, port) : local(service, port, annotatedProtocol(service)), milli);
        } catch (Unmappable e) {
            throw new Unmappable(path + ": " + describe(service) + ": " + e.getMessage());
        }
    }

    /** The backend's port for the apex's: the same number, else the same name. */
    private static ServicePort matchingPort(Service service, ServicePort apexPort) {
        List<ServicePort> ports = tcpPorts(service);
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

    /** One route per gateway port: the older owner keeps a port two claim, as the port allocator decides too. */
    private List<OutboundRoute> claimPorts(List<Candidate> candidates) {
        List<Candidate> bySeniority = new ArrayList<>(candidates);
        bySeniority.sort(Comparator.comparing((Candidate c) -> created(c.owner()), Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(c -> Objects.toString(c.owner().getMetadata().getUid(), ""))
                .thenComparing(c -> key(c.owner())));
        Map<Integer, Candidate> byPort = new LinkedHashMap<>();
        for (Candidate candidate : bySeniority) {
            Candidate holder = byPort.putIfAbsent(candidate.route().port(), candidate);
            if (holder != null) {
                skipped.add(new Skipped(candidate.kind(), candidate.route().name(), "gateway port " + candidate.route().port()
                        + " is already " + holder.route().name() + "'s (" + holder.owner().getKind() + " " + key(holder.owner())
                        + ", older); expected every gateway port once"));
            }
        }
        return new ArrayList<>(byPort.values().stream().map(Candidate::route).toList());
    }

    private static Instant created(HasMetadata owner) {
        String created = owner.getMetadata().getCreationTimestamp();
        try {
            return created == null ? null : Instant.parse(created);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The Service's ready and not-ready endpoints for {@code port}, from its EndpointSlices' port of the same name. */
    private List<Endpoint> endpoints(Service service, ServicePort port) {
        String name = port.getName() == null ? "" : port.getName();
        Map<String, Endpoint> found = new TreeMap<>();
        List<EndpointSlice> own = slices.getOrDefault(key(service), List.of());
        for (EndpointSlice slice : own) {
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
                    skipped.add(new Skipped("endpoints", "EndpointSlice " + key(slice), e.getMessage()));
                    continue;
                }
                // One address in two slices (a slice being replaced): ready if either says so.
                found.merge(parsed.host() + ":" + parsed.port(), parsed, (a, b) -> a.ready() ? a : b);
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * What the clients of a mirrored port speak, as the remote Service declares it (the mirror copies its protocol
     * annotation and its ports' {@code appProtocol}; the annotation wins), so that west's listener uses it instead
     * of guessing from the client's bytes. Nothing declared, or a value the gateway does not know, leaves it to
     * detection: the route is still served, where the export side in the target would leave the port out.
     */
    private static ClientProtocol clientProtocol(Service service, ServicePort port) {
        try {
            BackendProtocol annotated = annotatedProtocol(service);
            if (annotated != null) {
                return ClientProtocol.of(annotated);
            }
            String app = port.getAppProtocol();
            return app == null || app.isBlank() ? ClientProtocol.DETECT : ClientProtocol.of(appProtocol(port));
        } catch (Unmappable e) {
            return ClientProtocol.DETECT;
        }
    }

    private static BackendProtocol annotatedProtocol(Service service) throws Unmappable {
        String value = annotations(service).get(Names.PROTOCOL_ANNOTATION);
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "http1" -> BackendProtocol.HTTP1;
            case "h2c" -> BackendProtocol.H2C;
            case "opaque" -> BackendProtocol.OPAQUE;
            default -> throw new Unmappable("annotation " + Names.PROTOCOL_ANNOTATION + ": '" + value
                    + "' (expected: http1, h2c or opaque)");
        };
    }

    private static BackendProtocol appProtocol(ServicePort port) throws Unmappable {
        String value = port.getAppProtocol();
        if (value == null || value.isBlank()) {
            return BackendProtocol.HTTP1;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "http", "kubernetes.io/http" -> BackendProtocol.HTTP1;
            case "h2c", "kubernetes.io/h2c" -> BackendProtocol.H2C;
            case "tcp", "opaque" -> BackendProtocol.OPAQUE;
            default -> throw new Unmappable("appProtocol '" + value + "' (expected: http, kubernetes.io/http, h2c,"
                    + " kubernetes.io/h2c, tcp or opaque; or annotate the Service " + Names.PROTOCOL_ANNOTATION + ")");
        };
    }

    /** The Service's TCP ports with a usable number: the gateway relays nothing else. */
    private static List<ServicePort> tcpPorts(Service service) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return List.of();
        }
        return service.getSpec().getPorts().stream()
                .filter(port -> port != null && port.getPort() != null && port.getPort() >= 1 && port.getPort() <= 65535)
                .filter(port -> port.getProtocol() == null || "TCP".equals(port.getProtocol()))
                .toList();
    }

    private static boolean isMirror(Service service) {
        return "true".equals(labels(service).get(Names.MIRRORED_SERVICE_LABEL));
    }

    private static boolean validName(Service service) {
        return DNS_LABEL.matcher(Objects.toString(service.getMetadata().getName(), "")).matches()
                && DNS_LABEL.matcher(Objects.toString(service.getMetadata().getNamespace(), "")).matches();
    }

    private String fqdn(Service service) {
        return Names.serviceFqdn(service.getMetadata().getName(), service.getMetadata().getNamespace(), clusterDomain);
    }

    private static Map<String, String> labels(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    private static Map<String, String> annotations(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    private static String describe(Service service) {
        return "Service " + key(service);
    }
}
