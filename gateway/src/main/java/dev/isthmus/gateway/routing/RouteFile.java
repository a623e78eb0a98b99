package dev.isthmus.gateway.routing;

import dev.isthmus.gateway.config.YamlNode;
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
        document.onlyKeys(Set.of("clusterDomain", "services"));
        List<ExportedService> services = new ArrayList<>();
        for (YamlNode service : document.get("services").list()) {
            services.add(service(service));
        }
        try {
            return new RouteTable(document.get("clusterDomain").string("cluster.local"), services);
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
