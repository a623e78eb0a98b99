package dev.isthmus.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

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

    private static final Set<String> TOP_KEYS = Set.of("clusterDomain", "services");
    private static final Set<String> SERVICE_KEYS = Set.of("name", "port", "protocol", "endpoints");
    private static final Set<String> ENDPOINT_KEYS = Set.of("address", "ready");

    private RouteFile() {}

    public static RouteTable parse(String yaml, String source) {
        Object document;
        try {
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                    .setCodePointLimit(4 * 1024 * 1024).build();
            document = new Load(settings).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage().replaceAll("\\s+", " "), e);
        }
        if (document == null) {
            return RouteTable.EMPTY;
        }
        Map<?, ?> top = map(document, source, "the document");
        checkKeys(top, TOP_KEYS, source, "the document");
        String clusterDomain = top.containsKey("clusterDomain") ? string(top.get("clusterDomain"), source, "clusterDomain")
                : "cluster.local";
        List<ExportedService> services = new ArrayList<>();
        List<?> entries = top.containsKey("services") ? list(top.get("services"), source, "services") : List.of();
        for (int i = 0; i < entries.size(); i++) {
            services.add(service(entries.get(i), source, "services[" + i + "]"));
        }
        try {
            return new RouteTable(clusterDomain, services);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static ExportedService service(Object node, String source, String path) {
        Map<?, ?> service = map(node, source, path);
        checkKeys(service, SERVICE_KEYS, source, path);
        String name = string(required(service, "name", source, path), source, path + ".name");
        int port = port(required(service, "port", source, path), source, path + ".port");
        BackendProtocol protocol = BackendProtocol.HTTP1;
        if (service.containsKey("protocol")) {
            String text = string(service.get("protocol"), source, path + ".protocol");
            try {
                protocol = BackendProtocol.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error(source, path + ".protocol", "'" + text + "' (expected: http1, h2c or opaque)");
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        List<?> entries = service.containsKey("endpoints") ? list(service.get("endpoints"), source, path + ".endpoints") : List.of();
        for (int i = 0; i < entries.size(); i++) {
            endpoints.add(endpoint(entries.get(i), source, path + ".endpoints[" + i + "]"));
        }
        return new ExportedService(name, port, protocol, endpoints);
    }

    private static Endpoint endpoint(Object node, String source, String path) {
        try {
            if (node instanceof String address) {
                return Endpoint.parse(address, true);
            }
            Map<?, ?> endpoint = map(node, source, path);
            checkKeys(endpoint, ENDPOINT_KEYS, source, path);
            String address = string(required(endpoint, "address", source, path), source, path + ".address");
            Object ready = endpoint.containsKey("ready") ? endpoint.get("ready") : Boolean.TRUE;
            if (!(ready instanceof Boolean flag)) {
                throw error(source, path + ".ready", "'" + ready + "' (expected: true or false)");
            }
            return Endpoint.parse(address, flag);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source + ": ")) {
                throw e;
            }
            throw error(source, path, e.getMessage());
        }
    }

    private static Object required(Map<?, ?> map, String key, String source, String path) {
        Object value = map.get(key);
        if (value == null) {
            throw error(source, path + "." + key, "missing");
        }
        return value;
    }

    private static void checkKeys(Map<?, ?> map, Set<String> allowed, String source, String path) {
        for (Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw error(source, path, "unknown key '" + key + "' (expected one of " + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    private static Map<?, ?> map(Object node, String source, String path) {
        if (node instanceof Map<?, ?> map) {
            return map;
        }
        throw error(source, path, "is " + describe(node) + " (expected a mapping)");
    }

    private static List<?> list(Object node, String source, String path) {
        if (node instanceof List<?> list) {
            return list;
        }
        throw error(source, path, "is " + describe(node) + " (expected a list)");
    }

    private static String string(Object node, String source, String path) {
        if (node instanceof String text && !text.isBlank()) {
            return text;
        }
        throw error(source, path, "is " + describe(node) + " (expected a non-empty string)");
    }

    private static int port(Object node, String source, String path) {
        if (node instanceof Integer port && port >= 1 && port <= 65535) {
            return port;
        }
        throw error(source, path, "'" + node + "' (expected a port number: 1-65535)");
    }

    private static String describe(Object node) {
        return node == null ? "empty" : node instanceof Map ? "a mapping" : node instanceof List ? "a list" : "'" + node + "'";
    }

    private static IllegalArgumentException error(String source, String path, String message) {
        return new IllegalArgumentException(source + ": " + path + ": " + message);
    }
}
