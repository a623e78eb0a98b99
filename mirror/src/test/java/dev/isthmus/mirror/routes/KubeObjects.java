package dev.isthmus.mirror.routes;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.link.LinkStatus;
import dev.isthmus.mirror.split.Apex;
import dev.isthmus.mirror.split.TrafficSplit;
import dev.isthmus.mirror.split.TrafficSplitSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Kubernetes objects as the route source's tests need them, built in one line each. */
final class KubeObjects {

    static final String EAST_IDENTITY = "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway";

    private KubeObjects() {}

    static ServicePort port(String name, int port, String appProtocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol("TCP").withAppProtocol(appProtocol).build();
    }

    /** A Service with labels and annotations given as alternating key, value. */
    static Service service(String namespace, String name, List<ServicePort> ports, Map<String, String> labels,
            Map<String, String> annotations) {
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withLabels(new HashMap<>(labels))
                        .withAnnotations(new HashMap<>(annotations)).build())
                .withNewSpec().withPorts(ports).endSpec()
                .build();
    }

    static Service exported(String namespace, String name, ServicePort... ports) {
        return service(namespace, name, List.of(ports), Map.of(Names.EXPORTED_LABEL, "true"), Map.of());
    }

    static Service mirrored(String namespace, String name, String cluster, String gatewayPorts, ServicePort... ports) {
        String remote = name.substring(0, name.length() - cluster.length() - 1);
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Names.REMOTE_FQDN_ANNOTATION, remote + "." + namespace + ".svc.cluster.local");
        if (gatewayPorts != null) {
            annotations.put(Names.GATEWAY_PORTS_ANNOTATION, gatewayPorts);
        }
        return service(namespace, name, List.of(ports),
                Map.of(Names.MIRRORED_SERVICE_LABEL, "true", Names.CLUSTER_NAME_LABEL, cluster), annotations);
    }

    static Service apex(String namespace, String name, String split, String gatewayPorts, ServicePort... ports) {
        return service(namespace, name, List.of(ports), Map.of(Names.SPLIT_APEX_LABEL, "true"),
                Map.of(Apex.GATEWAY_PORTS_ANNOTATION, gatewayPorts, Apex.SPLIT_ANNOTATION, split));
    }

    /** An endpoint: {@code address} and whether it is ready ({@code null}: the condition is absent). */
    record Ep(String address, Boolean ready) {}

    static EndpointSlice slice(String namespace, String name, String service, Map<String, Integer> ports, Ep... endpoints) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> slicePorts = new ArrayList<>();
        ports.forEach((portName, port) -> slicePorts.add(new EndpointPortBuilder().withName(portName).withPort(port)
                .withProtocol("TCP").build()));
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
        for (Ep ep : endpoints) {
            eps.add(new EndpointBuilder().withAddresses(ep.address()).withNewConditions().withReady(ep.ready()).endConditions().build());
        }
        return new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
                        .withLabels(Map.of(Names.SERVICE_NAME_LABEL, service)).build())
                .withAddressType("IPv4").withPorts(slicePorts).withEndpoints(eps)
                .build();
    }

    static Link link(String name, String gatewayAddress, List<String> statusAddresses, int gatewayPort, String identity) {
        Link link = new Link();
        link.setMetadata(new ObjectMetaBuilder().withNamespace(Names.MULTICLUSTER_NAMESPACE).withName(name).build());
        LinkSpec spec = new LinkSpec();
        spec.targetClusterName = name;
        spec.gatewayAddress = gatewayAddress;
        spec.gatewayPort = gatewayPort;
        spec.gatewayIdentity = identity;
        spec.clusterCredentialsSecret = Names.credentialsSecret(name);
        link.setSpec(spec);
        if (statusAddresses != null) {
            LinkStatus status = new LinkStatus();
            status.gatewayAddresses = new ArrayList<>(statusAddresses);
            link.setStatus(status);
        }
        return link;
    }

    /** A split with backends given as alternating service name, weight (an Integer or a String). */
    static TrafficSplit split(String namespace, String name, String apex, Object... backends) {
        List<TrafficSplitSpec.Backend> list = new ArrayList<>();
        for (int i = 0; i < backends.length; i += 2) {
            Object weight = backends[i + 1];
            list.add(new TrafficSplitSpec.Backend((String) backends[i],
                    weight instanceof Integer n ? new IntOrString(n) : new IntOrString((String) weight)));
        }
        TrafficSplit split = new TrafficSplit();
        split.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        split.setSpec(new TrafficSplitSpec(apex, list));
        return split;
    }
}
