package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

/** One backend instance of a service: where it listens, and whether it may take traffic. */
public record Endpoint(String host, int port, boolean ready) {

    public Endpoint {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected an IP address or host name)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** Parses {@code host:port} or {@code [v6]:port}. */
    public static Endpoint parse(String address, boolean ready) {
        requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address '" + address + "' (expected host:port)");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("address '" + address + "' (expected [v6-address]:port for IPv6)");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + address + "' has a port that is not a number (expected host:port)");
        }
        return new Endpoint(host, port, ready);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + (ready ? "" : " (not ready)");
    }
}
