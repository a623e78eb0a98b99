package dev.isthmus.mirror.routes;

import dev.isthmus.gateway.yaml.YamlNode;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.ProbeOverrides;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Links to the gateways they lead to: the remote gateway's identity, addresses and probe settings. */
final class LinkMapping {

    private final Map<String, Link> links;

    /** @param links the Links of the multicluster namespace, by name */
    LinkMapping(Map<String, Link> links) {
        this.links = links;
    }

    /** The gateway of Link {@code cluster}: its identity, its addresses on its gateway port, its probe settings. */
    LinkedGateway gateway(String cluster) throws Unmappable {
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

    private static Duration duration(String text) {
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
}
