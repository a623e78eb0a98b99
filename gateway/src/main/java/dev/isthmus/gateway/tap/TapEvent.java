package dev.isthmus.gateway.tap;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One finished request as a gateway saw it.
 *
 * @param direction inbound from a peer gateway, or outbound from a client in this cluster
 * @param source the peer's identity (inbound), or the client's address (outbound)
 * @param service the target service (inbound) or the route the client called (outbound), such as
 *     {@code podinfo.test.svc.cluster.local:9898}
 * @param backend where the request went: {@code local}, a link's name, or {@code none} when the gateway answered itself
 * @param path the request's path, without its query (which may carry secrets), cut to {@link #MAX_PATH} characters
 * @param latencyNanos from the request's head to the end of its response
 * @param bytesIn request body bytes, {@code bytesOut} response body bytes
 * @param tls whether the hop this gateway handled was mTLS: always inbound, and outbound when the request went to a peer gateway
 */
public record TapEvent(Instant time, Direction direction, String source, String service, String backend, String method,
        String path, int status, long latencyNanos, long bytesIn, long bytesOut, boolean tls) {

    /** Longer paths are cut: an event must stay small whatever a client sends. */
    public static final int MAX_PATH = 256;

    /** Which side of the gateway the request came from. */
    public enum Direction {
        INBOUND, OUTBOUND;

        public String label() {
            return this == INBOUND ? "inbound" : "outbound";
        }
    }

    public TapEvent {
        requireNonNull(time, "time");
        requireNonNull(direction, "direction");
        requireNonNull(source, "source");
        requireNonNull(service, "service");
        requireNonNull(backend, "backend");
        requireNonNull(method, "method");
        requireNonNull(path, "path");
    }

    /** The path of a request URI: origin-form or absolute-form, query and fragment dropped, at most {@link #MAX_PATH} characters. */
    public static String pathOf(String uri) {
        if (uri == null || uri.isEmpty()) {
            return "/";
        }
        String path = uri;
        int scheme = path.indexOf("://");
        if (scheme > 0 && path.charAt(0) != '/') {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int end = path.length();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        path = path.substring(0, end);
        return path.length() > MAX_PATH ? path.substring(0, MAX_PATH) : path;
    }

    /** The service's namespace: the second label of {@code <svc>.<ns>.svc.<domain>[:port]}, or {@code null} for other names. */
    public String namespace() {
        String[] labels = host(service).split("\\.");
        return labels.length > 2 && labels[2].equals("svc") ? labels[1] : null;
    }

    /** The service's short name: its first label ({@code podinfo} of {@code podinfo.test.svc.cluster.local:9898}). */
    public String serviceName() {
        String host = host(service);
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    private static String host(String name) {
        int colon = name.lastIndexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** One line of {@code GET /tap}'s newline-delimited JSON, without the newline. */
    public String json() {
        StringBuilder json = new StringBuilder(256).append("{\"time\":");
        JsonText.string(json, time.toString());
        json.append(",\"direction\":\"").append(direction.label()).append('"');
        json.append(",\"source\":");
        JsonText.string(json, source);
        json.append(",\"service\":");
        JsonText.string(json, service);
        json.append(",\"namespace\":");
        JsonText.string(json, namespace());
        json.append(",\"backend\":");
        JsonText.string(json, backend);
        json.append(",\"method\":");
        JsonText.string(json, method);
        json.append(",\"path\":");
        JsonText.string(json, path);
        json.append(",\"status\":").append(status);
        json.append(",\"latencyMs\":").append(Math.round(latencyNanos / 1_000.0) / 1_000.0);
        json.append(",\"bytesIn\":").append(bytesIn);
        json.append(",\"bytesOut\":").append(bytesOut);
        json.append(",\"tls\":").append(tls);
        return json.append('}').toString();
    }
}
