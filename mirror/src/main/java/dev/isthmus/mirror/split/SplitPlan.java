package dev.isthmus.mirror.split;

import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.desired.PortAllocator;
import dev.isthmus.mirror.desired.PortClaim;
import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one TrafficSplit should make exist, from the cluster's objects: its apex Service and that Service's
 * EndpointSlice to the local gateway, or the reason it cannot have them. Pure, so tests read as tables.
 */
public final class SplitPlan {

    public static final String ACCEPTED = "Accepted";
    public static final String APEX_HAS_SELECTOR = "ApexHasSelector";
    public static final String APEX_IN_USE = "ApexInUse";
    public static final String BACKEND_NOT_FOUND = "BackendNotFound";
    public static final String PORTS_EXHAUSTED = "PortsExhausted";

    /** What to do for a split: accept it with these objects, or refuse it with a reason. */
    public sealed interface Outcome permits Accept, Refuse {}

    public record Accept(Service apex, EndpointSlice slice, String message) implements Outcome {}

    public record Refuse(String reason, String message) implements Outcome {}

    private SplitPlan() {}

    /**
     * @param services every Service of the cluster: the apex, the backends, and every port claim
     * @param gatewaySlices the EndpointSlices of the local gateway's Service
     */
    public static Outcome plan(TrafficSplit split, Collection<Service> services, Collection<EndpointSlice> gatewaySlices,
            PortRange range) {
        String namespace = split.getMetadata().getNamespace();
        String apexName = split.getSpec() == null ? null : split.getSpec().service;
        if (apexName == null || apexName.isBlank()) {
            return new Refuse("InvalidSpec", "spec.service is empty (expected the name of an apex Service for Isthmus to create)");
        }
        Map<String, Service> byKey = new LinkedHashMap<>();
        services.forEach(service -> byKey.put(Metadata.key(service), service));
        Service existing = byKey.get(key(namespace, apexName));
        if (existing != null && !Apex.isOurs(existing)) {
            return new Refuse(APEX_HAS_SELECTOR, "Service " + key(namespace, apexName) + " already exists "
                    + (Apex.hasSelector(existing) ? "with a selector" : "and was not created by Isthmus")
                    + ", so it cannot be the apex: choose a new apex name in spec.service, one no Service has,"
                    + " and Isthmus will create that Service");
        }
        String owner = existing == null ? null : annotation(existing, Apex.SPLIT_ANNOTATION);
        if (existing != null && owner != null && !owner.equals(split.getMetadata().getName())) {
            return new Refuse(APEX_IN_USE, "Service " + key(namespace, apexName) + " is already the apex of TrafficSplit "
                    + key(namespace, owner) + ": choose a new apex name in spec.service");
        }
        List<TrafficSplitSpec.Backend> backends = split.getSpec().backends == null ? List.of() : split.getSpec().backends;
        String firstName = backends.isEmpty() || backends.get(0) == null ? null : backends.get(0).service;
        Service first = firstName == null ? null : byKey.get(key(namespace, firstName));
        List<ServicePort> ports = first == null ? List.of() : tcpPorts(first);
        if (ports.isEmpty()) {
            return new Refuse(BACKEND_NOT_FOUND, firstName == null ? "spec.backends is empty (expected at least one Service)"
                    : "the first backend, Service " + key(namespace, firstName) + ", "
                            + (first == null ? "does not exist" : "has no TCP port")
                            + " (expected it to exist: it gives the apex its ports)");
        }

        PortClaim self = existing == null ? new PortClaim(key(namespace, apexName), null, null, Map.of()) : PortClaim.of(existing);
        List<PortClaim> claims = new ArrayList<>();
        for (Service service : services) {
            PortClaim claim = PortClaim.of(service);
            if (!claim.ports().isEmpty()) {
                claims.add(claim);
            }
        }
        Map<Integer, Integer> allocation;
        try {
            allocation = PortAllocator.allocate(ports.stream().map(ServicePort::getPort).toList(), self.ports(),
                    PortAllocator.unavailableFor(self, claims), range);
        } catch (PortAllocator.PortsExhaustedException e) {
            return new Refuse(PORTS_EXHAUSTED, e.getMessage());
        }
        Service apex = apex(split, apexName, ports, allocation);
        return new Accept(apex, slice(split, apexName, ports, allocation, gatewaySlices), "apex Service "
                + key(namespace, apexName) + " on gateway port(s) " + GatewayPorts.format(allocation));
    }

    private static Service apex(TrafficSplit split, String name, List<ServicePort> ports, Map<Integer, Integer> allocation) {
        List<ServicePort> apexPorts = new ArrayList<>();
        for (ServicePort port : ports) {
            apexPorts.add(new ServicePortBuilder().withName(port.getName()).withProtocol("TCP").withPort(port.getPort())
                    .withAppProtocol(port.getAppProtocol()).withTargetPort(new IntOrString(allocation.get(port.getPort()))).build());
        }
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(split.getMetadata().getNamespace()).withName(name)
                        .withLabels(Map.of(Names.SPLIT_APEX_LABEL, "true"))
                        .withAnnotations(Map.of(Apex.GATEWAY_PORTS_ANNOTATION, GatewayPorts.format(allocation),
                                Apex.SPLIT_ANNOTATION, split.getMetadata().getName()))
                        .withOwnerReferences(ownedBy(split)).build())
                .withNewSpec().withType("ClusterIP").withPorts(apexPorts).endSpec()
                .build();
    }

    private static EndpointSlice slice(TrafficSplit split, String name, List<ServicePort> ports, Map<Integer, Integer> allocation,
            Collection<EndpointSlice> gatewaySlices) {
        Set<String> addresses = new LinkedHashSet<>();
        for (EndpointSlice slice : gatewaySlices) {
            if (!"IPv4".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                if (ready && endpoint.getAddresses() != null && !endpoint.getAddresses().isEmpty()) {
                    addresses.add(endpoint.getAddresses().get(0));
                }
            }
        }
        List<Endpoint> endpoints = addresses.stream().sorted()
                .map(address -> new EndpointBuilder().withAddresses(address).withNewConditions().withReady(true).endConditions().build())
                .toList();
        Set<Integer> seen = new LinkedHashSet<>();
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> slicePorts = new ArrayList<>();
        for (ServicePort port : ports) {
            if (seen.add(port.getPort())) {
                slicePorts.add(new EndpointPortBuilder().withName(port.getName()).withProtocol("TCP")
                        .withAppProtocol(port.getAppProtocol()).withPort(allocation.get(port.getPort())).build());
            }
        }
        return new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(split.getMetadata().getNamespace()).withName(name)
                        .withLabels(Map.of(Names.SERVICE_NAME_LABEL, name, Names.MANAGED_BY_LABEL, Names.SPLIT_CONTROLLER,
                                Names.SPLIT_APEX_LABEL, "true"))
                        .withOwnerReferences(ownedBy(split)).build())
                .withAddressType("IPv4").withEndpoints(endpoints).withPorts(slicePorts)
                .build();
    }

    /** Garbage collection removes a split's objects when it goes, in a cluster that runs it; the controller does too. */
    private static OwnerReference ownedBy(TrafficSplit split) {
        return new OwnerReferenceBuilder().withApiVersion(Names.SPLIT_GROUP + "/" + Names.SPLIT_VERSION).withKind("TrafficSplit")
                .withName(split.getMetadata().getName()).withUid(split.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(false).build();
    }

    private static List<ServicePort> tcpPorts(Service service) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return List.of();
        }
        Set<Integer> seen = new LinkedHashSet<>();
        return service.getSpec().getPorts().stream()
                .filter(port -> port != null && port.getPort() != null && (port.getProtocol() == null || "TCP".equals(port.getProtocol())))
                .filter(port -> seen.add(port.getPort()))
                .toList();
    }

    private static String annotation(Service service, String key) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
