package dev.isthmus.mirror.desired;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The {@code mirror.isthmus.dev/gateway-ports} annotation, {@code "9898=14000,8080=14001"}: each service
 * port and the local gateway's listener port for it. It is the allocation's only record, read back on
 * restart, so a malformed one is rejected whole rather than half-trusted.
 */
public final class GatewayPorts {

    private GatewayPorts() {}

    /**
     * @throws IllegalArgumentException naming what is wrong: not {@code port=port} pairs, a port outside
     *     1-65535, a service port listed twice, or one gateway port given to two service ports
     */
    public static Map<Integer, Integer> parse(String annotation) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        if (annotation == null || annotation.isBlank()) {
            return ports;
        }
        Set<Integer> gatewayPorts = new HashSet<>();
        for (String pair : annotation.split(",", -1)) {
            String[] sides = pair.trim().split("=", -1);
            if (sides.length != 2) {
                throw malformed(annotation, "'" + pair + "' is not servicePort=gatewayPort");
            }
            int servicePort = port(annotation, sides[0]);
            int gatewayPort = port(annotation, sides[1]);
            if (ports.put(servicePort, gatewayPort) != null) {
                throw malformed(annotation, "service port " + servicePort + " appears twice");
            }
            if (!gatewayPorts.add(gatewayPort)) {
                throw malformed(annotation, "gateway port " + gatewayPort + " is given to two service ports");
            }
        }
        return ports;
    }

    /** Formats in the map's iteration order, which callers keep as the Service's port order. */
    public static String format(Map<Integer, Integer> ports) {
        StringJoiner joined = new StringJoiner(",");
        ports.forEach((service, gateway) -> joined.add(service + "=" + gateway));
        return joined.toString();
    }

    private static int port(String annotation, String text) {
        int port;
        try {
            port = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw malformed(annotation, "'" + text + "' is not a port number");
        }
        if (port < 1 || port > 65535) {
            throw malformed(annotation, "port " + port + " is outside 1-65535");
        }
        return port;
    }

    private static IllegalArgumentException malformed(String annotation, String why) {
        return new IllegalArgumentException("annotation mirror.isthmus.dev/gateway-ports: '" + annotation + "': " + why
                + " (expected: servicePort=gatewayPort pairs separated by commas, e.g. 9898=14000,8080=14001)");
    }
}
