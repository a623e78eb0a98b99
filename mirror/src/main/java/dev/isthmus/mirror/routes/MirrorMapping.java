package dev.isthmus.mirror.routes;

import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.routes.RouteMapping.Candidate;
import dev.isthmus.mirror.routes.RouteMapping.Skipped;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Mirrored Services to outbound routes: each port on its gateway port, to the remote Service through its Link. */
final class MirrorMapping {

    private final String clusterDomain;
    private final LinkMapping links;
    private final List<Skipped> skipped;

    MirrorMapping(String clusterDomain, LinkMapping links, List<Skipped> skipped) {
        this.clusterDomain = clusterDomain;
        this.links = links;
        this.skipped = skipped;
    }

    /** Adds a route per TCP port of mirror {@code service}; whether it keeps its gateway port is decided after. */
    void mirror(Service service, List<Candidate> outbound) {
        Map<Integer, Integer> gatewayPorts;
        try {
            gatewayPorts = GatewayPorts.parse(Metadata.annotations(service).get(Names.GATEWAY_PORTS_ANNOTATION));
            if (gatewayPorts.isEmpty()) {
                throw new Unmappable("no annotation " + Names.GATEWAY_PORTS_ANNOTATION
                        + " (expected servicePort=gatewayPort pairs, written by the mirror controller)");
            }
            remote(service, Services.tcpPorts(service).stream().findFirst().orElse(null));
        } catch (IllegalArgumentException | Unmappable e) {
            skipped.add(new Skipped("outbound", Services.describe(service), e.getMessage()));
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (ServicePort port : Services.tcpPorts(service)) {
            Integer gatewayPort = gatewayPorts.get(port.getPort());
            if (!seen.add(port.getPort())) {
                skipped.add(new Skipped("outbound", Services.describe(service) + " port " + port.getPort(),
                        "the port is listed twice (expected each port once); kept the first"));
            } else if (gatewayPort == null) {
                skipped.add(new Skipped("outbound", Services.describe(service) + " port " + port.getPort(), "annotation "
                        + Names.GATEWAY_PORTS_ANNOTATION + " gives it no gateway port (expected " + port.getPort() + "=<port>)"));
            } else {
                try {
                    outbound.add(new Candidate(OutboundRoute.mirror(gatewayPort,
                            Services.fqdn(service, clusterDomain) + ":" + port.getPort(), remote(service, port),
                            Protocols.client(service, port)), "outbound", service));
                } catch (Unmappable e) {
                    skipped.add(new Skipped("outbound", Services.describe(service) + " port " + port.getPort(), e.getMessage()));
                }
            }
        }
    }

    /** The remote target behind mirrored {@code service}'s {@code port}, through its Link; {@code port} null checks the rest. */
    RemoteTarget remote(Service service, ServicePort port) throws Unmappable {
        String cluster = Metadata.labels(service).get(Names.CLUSTER_NAME_LABEL);
        if (cluster == null || cluster.isBlank()) {
            throw new Unmappable("no label " + Names.CLUSTER_NAME_LABEL + " (expected the name of the Link it came through)");
        }
        LinkedGateway gateway = links.gateway(cluster);
        String remoteName = Metadata.annotations(service).get(Names.REMOTE_FQDN_ANNOTATION);
        if (remoteName == null || remoteName.isBlank()) {
            throw new Unmappable("no annotation " + Names.REMOTE_FQDN_ANNOTATION + " (expected <svc>.<ns>.svc.<remote domain>)");
        }
        return port == null ? null : gateway.target(remoteName, port.getPort());
    }
}
