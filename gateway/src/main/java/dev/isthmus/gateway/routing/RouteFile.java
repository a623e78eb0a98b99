package dev.isthmus.gateway.routing;

import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.yaml.YamlNode;
import dev.isthmus.identity.SpiffeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The route file's schema, parsed into a {@link RouteTable}:
 * <pre>
 * clusterDomain: cluster.local          # optional, default cluster.local
 * services:
 *   - name: podinfo.east.svc.cluster.local
 *     port: 9898
 *     protocol: http1                   # http1 (default), h2c or opaque: how the backend speaks
 *     endpoints:
 *       - 10.0.0.7:9898                 # ready
 *       - address: 10.0.0.8:9898
 *         ready: false
 * outbound:                             # this gateway's listeners for clients of this cluster
 *   - port: 4180                        # the port it listens on for this route
 *     name: podinfo-east.test.svc.cluster.local:9898   # what clients call; for metrics
 *     protocol: detect                  # optional: detect (default), http (http1, h2c) or opaque: what clients speak
 *     backends:
 *       - weight: 50                    # optional, default 1: the share among the backends that can take traffic
 *         remote:                       # a service behind another cluster's gateway
 *           link: east
 *           gateways: [203.0.113.7:4143]
 *           identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
 *           service: podinfo.test.svc.cluster.local
 *           port: 9898
 *       - weight: 50
 *         local:                        # a service of this cluster, with the keys of a services entry
 *           name: podinfo.test.svc.cluster.local
 *           port: 9898
 *           endpoints: [10.0.0.9:9898]
 * </pre>
 * Errors name the path of the offending value ({@code services[1].port}) and what was expected.
 */
public final class RouteFile {

    private RouteFile() {}

    public static RouteTable parse(String yaml, String source) {
        YamlNode document = YamlNode.parse(yaml, source);
        if (document.isMissing()) {
            return RouteTable.EMPTY;
        }
        document.onlyKeys(Set.of("clusterDomain", "services", "outbound"));
        List<ExportedService> services = new ArrayList<>();
        for (YamlNode service : document.get("services").list()) {
            services.add(service(service));
        }
        List<OutboundRoute> outbound = new ArrayList<>();
        for (YamlNode route : document.get("outbound").list()) {
            outbound.add(outboundRoute(route));
        }
        try {
            return new RouteTable(document.get("clusterDomain").string("cluster.local"), services, outbound);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static ExportedService service(YamlNode service) {
        service.onlyKeys(Set.of("name", "port", "protocol", "endpoints"));
        String name = service.required("name").string();
        int port = service.required("port").servicePort();
        BackendProtocol protocol = BackendProtocol.HTTP1;
        YamlNode protocolNode = service.get("protocol");
        if (!protocolNode.isMissing()) {
            try {
                protocol = BackendProtocol.valueOf(protocolNode.string().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw protocolNode.error("'" + protocolNode.string() + "' (expected: http1, h2c or opaque)");
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (YamlNode endpoint : service.get("endpoints").list()) {
            endpoints.add(endpoint(endpoint));
        }
        return new ExportedService(name, port, protocol, endpoints);
    }

    private static OutboundRoute outboundRoute(YamlNode route) {
        route.onlyKeys(Set.of("port", "name", "backends", "protocol"));
        int port = route.required("port").servicePort();
        String name = route.required("name").string();
        ClientProtocol protocol = clientProtocol(route.get("protocol"));
        List<WeightedBackend> backends = new ArrayList<>();
        for (YamlNode backend : route.required("backends").list()) {
            backends.add(weightedBackend(backend));
        }
        try {
            return new OutboundRoute(port, name, backends, protocol);
        } catch (IllegalArgumentException e) {
            throw route.error(e);
        }
    }

    private static ClientProtocol clientProtocol(YamlNode node) {
        if (node.isMissing()) {
            return ClientProtocol.DETECT;
        }
        return switch (node.string().toLowerCase(Locale.ROOT)) {
            case "detect" -> ClientProtocol.DETECT;
            case "http", "http1" -> ClientProtocol.HTTP;
            case "h2c" -> ClientProtocol.H2C;
            case "opaque" -> ClientProtocol.OPAQUE;
            default -> throw node.error("'" + node.string() + "' (expected: detect, http, http1, h2c or opaque)");
        };
    }

    private static WeightedBackend weightedBackend(YamlNode node) {
        node.onlyKeys(Set.of("weight", "local", "remote"));
        int weight = node.get("weight").positiveInt(1);
        YamlNode local = node.get("local");
        YamlNode remote = node.get("remote");
        if (local.isMissing() == remote.isMissing()) {
            throw node.error("has " + (local.isMissing() ? "neither" : "both") + " 'local' and 'remote' (expected exactly one)");
        }
        return new WeightedBackend(local.isMissing() ? remoteTarget(remote) : service(local), weight);
    }

    private static RemoteTarget remoteTarget(YamlNode node) {
        node.onlyKeys(Set.of("link", "gateways", "identity", "service", "port"));
        String link = node.required("link").string();
        List<Endpoint> gateways = new ArrayList<>();
        for (YamlNode gateway : node.required("gateways").list()) {
            try {
                gateways.add(Endpoint.parse(gateway.string(), true));
            } catch (IllegalArgumentException e) {
                throw gateway.error(e);
            }
        }
        if (gateways.isEmpty()) {
            throw node.get("gateways").error("is empty (expected at least one host:port of the remote gateway)");
        }
        YamlNode identityNode = node.required("identity");
        SpiffeId identity;
        try {
            identity = SpiffeId.parse(identityNode.string());
        } catch (IllegalArgumentException e) {
            throw identityNode.error("'" + identityNode.string() + "' (expected spiffe://<trust-domain>/ns/<ns>/sa/<sa>)");
        }
        return new RemoteTarget(link, gateways, identity, node.required("service").string(), node.required("port").servicePort());
    }

    private static Endpoint endpoint(YamlNode node) {
        YamlNode address = node.isString() ? node : node.onlyKeys(Set.of("address", "ready")).required("address");
        boolean ready = node.isString() || node.get("ready").bool(true);
        try {
            return Endpoint.parse(address.string(), ready);
        } catch (IllegalArgumentException e) {
            throw node.error(e);
        }
    }
}
