package dev.isthmus.mirror.desired;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The mirrored Service and EndpointSlice that a remote Service should have in this cluster: pure
 * functions of the remote object, the Link and the allocated ports, so the controller's only job is to
 * make the cluster look like them. {@code docs/kubernetes.md} is the specification.
 */
public final class MirrorObjects {

    /** Service names are DNS-1035 labels. */
    static final int MAX_NAME = 63;
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final String TOPOLOGY_PREFIX = "service.kubernetes.io/topology-";

    private MirrorObjects() {}

    /**
     * Why {@code remote} cannot be mirrored for this Link, or empty when it can. The reasons are
     * permanent until the remote Service changes, so they become an {@code InvalidService} condition
     * rather than a retry.
     */
    public static Optional<String> problem(Service remote, LinkSettings link) {
        ObjectMeta meta = remote.getMetadata();
        String mirror = Names.mirrorName(meta.getName(), link.clusterName());
        if (mirror.length() > MAX_NAME) {
            return Optional.of("the mirror's name " + mirror + " is " + mirror.length() + " characters long"
                    + " (expected: at most " + MAX_NAME + "; shorten the Service's name)");
        }
        if (remote.getSpec() == null || "ExternalName".equals(remote.getSpec().getType())) {
            return Optional.of("Service of type ExternalName (expected: a Service with ports)");
        }
        List<ServicePort> ports = remote.getSpec().getPorts();
        if (ports == null || ports.isEmpty()) {
            return Optional.of("the Service has no ports (expected: at least one TCP port)");
        }
        boolean anyTcp = false;
        for (ServicePort port : ports) {
            if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
                return Optional.of("port " + port.getName() + " has number " + port.getPort() + " (expected: 1-65535)");
            }
            anyTcp |= isTcp(port);
        }
        if (!anyTcp) {
            return Optional.of("the Service has no TCP port (the gateway relays TCP only)");
        }
        return Optional.empty();
    }

    /** The service ports to allocate gateway ports for, in the Service's order (TCP only). */
    public static List<Integer> mirroredPorts(Service remote) {
        List<Integer> ports = new ArrayList<>();
        for (ServicePort port : remote.getSpec().getPorts()) {
            if (isTcp(port) && !ports.contains(port.getPort())) {
                ports.add(port.getPort());
            }
        }
        return ports;
    }

    /**
     * The mirror of {@code remote}: {@code <svc>-<cluster>} in the same namespace, its TCP ports with
     * {@code targetPort} = the allocated gateway port, copied labels and annotations.
     *
     * @param gatewayPorts from {@link PortAllocator#allocate}, covering every {@link #mirroredPorts}
     */
    public static Service desiredService(Service remote, LinkSettings link, Map<Integer, Integer> gatewayPorts) {
        ObjectMeta meta = remote.getMetadata();
        Map<String, String> labels = new TreeMap<>();
        if (meta.getLabels() != null) {
            meta.getLabels().forEach((key, value) -> {
                if (!key.startsWith(Names.MIRROR_PREFIX) && !link.excludedLabels().excludes(key)) {
                    labels.put(key, value);
                }
            });
        }
        labels.putAll(ownershipLabels(link.clusterName()));

        Map<String, String> annotations = new TreeMap<>();
        if (meta.getAnnotations() != null) {
            meta.getAnnotations().forEach((key, value) -> {
                if (!key.startsWith(Names.MIRROR_PREFIX) && !key.equals(LAST_APPLIED) && !key.startsWith(TOPOLOGY_PREFIX)
                        && !link.excludedAnnotations().excludes(key)) {
                    annotations.put(key, value);
                }
            });
        }
        annotations.put(Names.REMOTE_FQDN_ANNOTATION,
                Names.serviceFqdn(meta.getName(), meta.getNamespace(), link.clusterDomain()));
        annotations.put(Names.REMOTE_RESOURCE_VERSION_ANNOTATION, String.valueOf(meta.getResourceVersion()));
        annotations.put(Names.GATEWAY_PORTS_ANNOTATION, GatewayPorts.format(gatewayPorts));

        List<ServicePort> ports = new ArrayList<>();
        for (ServicePort port : remote.getSpec().getPorts()) {
            if (!isTcp(port)) {
                continue;
            }
            Integer gatewayPort = gatewayPorts.get(port.getPort());
            if (gatewayPort == null) {
                throw new IllegalArgumentException("no gateway port allocated for service port " + port.getPort()
                        + " of " + meta.getNamespace() + "/" + meta.getName() + " (allocation: " + gatewayPorts + ")");
            }
            ports.add(new ServicePortBuilder()
                    .withName(emptyToNull(port.getName()))
                    .withProtocol("TCP")
                    .withPort(port.getPort())
                    .withAppProtocol(port.getAppProtocol())
                    .withTargetPort(new IntOrString(gatewayPort))
                    .build());
        }
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(Names.mirrorName(meta.getName(), link.clusterName()))
                        .withNamespace(meta.getNamespace())
                        .withLabels(labels)
                        .withAnnotations(annotations)
                        .build())
                .withNewSpec()
                .withType("ClusterIP")
                .withPorts(ports)
                .endSpec()
                .build();
    }

    /**
     * The mirror's EndpointSlice: the local gateway's addresses on the allocated ports.
     *
     * @param gatewayAddresses the local gateway's ready IPv4 addresses
     * @param ready link alive AND the remote Service has ready endpoints
     */
    public static EndpointSlice desiredSlice(Service desiredService, List<String> gatewayAddresses, boolean ready,
            String clusterName) {
        ObjectMeta meta = desiredService.getMetadata();
        Map<String, String> labels = new TreeMap<>(ownershipLabels(clusterName));
        labels.put(Names.SERVICE_NAME_LABEL, meta.getName());
        labels.put(Names.MANAGED_BY_LABEL, Names.MIRROR_CONTROLLER);
        List<Endpoint> endpoints = new ArrayList<>();
        for (String address : new TreeSet<>(gatewayAddresses)) {
            endpoints.add(new EndpointBuilder()
                    .withAddresses(address)
                    .withNewConditions().withReady(ready).endConditions()
                    .build());
        }
        List<EndpointPort> ports = new ArrayList<>();
        for (ServicePort port : desiredService.getSpec().getPorts()) {
            ports.add(new EndpointPortBuilder()
                    .withName(port.getName() == null ? "" : port.getName())
                    .withProtocol("TCP")
                    .withAppProtocol(port.getAppProtocol())
                    .withPort(port.getTargetPort().getIntVal())
                    .build());
        }
        return new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(meta.getName())
                        .withNamespace(meta.getNamespace())
                        .withLabels(labels)
                        .build())
                .withAddressType("IPv4")
                .withEndpoints(endpoints)
                .withPorts(ports)
                .build();
    }

    /** The labels that mark an object as this link's mirror; the controller deletes nothing without them. */
    public static Map<String, String> ownershipLabels(String clusterName) {
        return Map.of(Names.MIRRORED_SERVICE_LABEL, "true", Names.CLUSTER_NAME_LABEL, clusterName);
    }

    public static boolean ownedBy(ObjectMeta meta, String clusterName) {
        Map<String, String> labels = meta.getLabels();
        return labels != null && "true".equals(labels.get(Names.MIRRORED_SERVICE_LABEL))
                && clusterName.equals(labels.get(Names.CLUSTER_NAME_LABEL));
    }

    /**
     * Whether {@code actual} already is {@code desired} in every field the controller owns; the API
     * server's own defaults (clusterIP, ipFamilies, sessionAffinity…) are not compared.
     */
    public static boolean sameService(Service desired, Service actual) {
        if (!Objects.equals(desired.getMetadata().getLabels(), nonNull(actual.getMetadata().getLabels()))
                || !Objects.equals(desired.getMetadata().getAnnotations(), nonNull(actual.getMetadata().getAnnotations()))
                || actual.getSpec() == null
                || !"ClusterIP".equals(actual.getSpec().getType())
                || (actual.getSpec().getSelector() != null && !actual.getSpec().getSelector().isEmpty())) {
            return false;
        }
        return portsOf(desired).equals(portsOf(actual));
    }

    public static boolean sameSlice(EndpointSlice desired, EndpointSlice actual) {
        return Objects.equals(desired.getMetadata().getLabels(), nonNull(actual.getMetadata().getLabels()))
                && Objects.equals(desired.getAddressType(), actual.getAddressType())
                && endpointsOf(desired).equals(endpointsOf(actual))
                && slicePortsOf(desired).equals(slicePortsOf(actual));
    }

    private static List<String> portsOf(Service service) {
        List<String> ports = new ArrayList<>();
        if (service.getSpec().getPorts() != null) {
            for (ServicePort port : service.getSpec().getPorts()) {
                ports.add(emptyToNull(port.getName()) + "|" + (port.getProtocol() == null ? "TCP" : port.getProtocol())
                        + "|" + port.getPort() + "|" + port.getAppProtocol() + "|" + port.getTargetPort());
            }
        }
        return ports;
    }

    private static List<String> endpointsOf(EndpointSlice slice) {
        List<String> endpoints = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            for (Endpoint endpoint : slice.getEndpoints()) {
                Boolean ready = endpoint.getConditions() == null ? null : endpoint.getConditions().getReady();
                endpoints.add(endpoint.getAddresses() + "|" + ready);
            }
        }
        return endpoints;
    }

    private static List<String> slicePortsOf(EndpointSlice slice) {
        List<String> ports = new ArrayList<>();
        if (slice.getPorts() != null) {
            for (EndpointPort port : slice.getPorts()) {
                ports.add((port.getName() == null ? "" : port.getName()) + "|"
                        + (port.getProtocol() == null ? "TCP" : port.getProtocol()) + "|" + port.getPort() + "|"
                        + port.getAppProtocol());
            }
        }
        return ports;
    }

    private static boolean isTcp(ServicePort port) {
        return port.getProtocol() == null || "TCP".equals(port.getProtocol());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Map<String, String> nonNull(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
