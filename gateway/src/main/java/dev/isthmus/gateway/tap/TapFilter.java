package dev.isthmus.gateway.tap;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which events a watcher wants, from the query of {@code GET /tap}:
 * {@code ns}, {@code svc}, {@code link}, {@code method}, {@code path} (a prefix), {@code status}
 * ({@code 2xx}, or one code such as {@code 503}), {@code direction} ({@code inbound} or {@code outbound})
 * and {@code limit} (events, after which the stream ends). Each is optional; an absent one matches all.
 * The query comes from anyone who reaches the admin port, so every value is checked before it is used.
 *
 * @param limit 0 for no limit
 */
public record TapFilter(String namespace, String service, String link, String method, String pathPrefix, int statusClass,
        int status, TapEvent.Direction direction, int limit) {

    public static final TapFilter ALL = new TapFilter(null, null, null, null, null, 0, 0, null, 0);

    /** The most events one stream may ask for; more is another request. */
    public static final int MAX_LIMIT = 100_000;
    static final int MAX_VALUE = 256;
    static final Set<String> KEYS = Set.of("ns", "svc", "link", "method", "path", "status", "direction", "limit");

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final Pattern STATUS_CLASS = Pattern.compile("[1-5]xx");
    private static final Pattern STATUS = Pattern.compile("[1-5][0-9][0-9]");

    /**
     * @param query each parameter's values, as a query string decoder gives them
     * @throws IllegalArgumentException naming the parameter, the value and what was expected
     */
    public static TapFilter parse(Map<String, List<String>> query) {
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            if (!KEYS.contains(parameter.getKey())) {
                throw new IllegalArgumentException("tap parameter: " + shown(parameter.getKey())
                        + " (expected: ns, svc, link, method, path, status, direction or limit)");
            }
            if (parameter.getValue().size() > 1) {
                throw new IllegalArgumentException(parameter.getKey() + ": given " + parameter.getValue().size()
                        + " times (expected: at most once)");
            }
        }
        String namespace = dnsName(query, "ns");
        String service = dnsName(query, "svc");
        String link = dnsName(query, "link");
        String method = one(query, "method");
        if (method != null) {
            method = method.toUpperCase(Locale.ROOT);
            if (!METHOD.matcher(method).matches()) {
                throw new IllegalArgumentException("method: " + shown(method) + " (expected: an HTTP method such as GET)");
            }
        }
        String path = one(query, "path");
        if (path != null && (!path.startsWith("/") || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw new IllegalArgumentException("path: " + shown(path) + " (expected: a path prefix starting with /)");
        }
        int statusClass = 0;
        int status = 0;
        String statusText = one(query, "status");
        if (statusText != null) {
            String lower = statusText.toLowerCase(Locale.ROOT);
            if (STATUS_CLASS.matcher(lower).matches()) {
                statusClass = lower.charAt(0) - '0';
            } else if (STATUS.matcher(lower).matches()) {
                status = Integer.parseInt(lower);
            } else {
                throw new IllegalArgumentException("status: " + shown(statusText) + " (expected: a class such as 5xx, or a code 100-599)");
            }
        }
        TapEvent.Direction direction = null;
        String directionText = one(query, "direction");
        if (directionText != null) {
            direction = switch (directionText) {
                case "inbound" -> TapEvent.Direction.INBOUND;
                case "outbound" -> TapEvent.Direction.OUTBOUND;
                default -> throw new IllegalArgumentException("direction: " + shown(directionText) + " (expected: inbound or outbound)");
            };
        }
        int limit = 0;
        String limitText = one(query, "limit");
        if (limitText != null) {
            if (!limitText.matches("[0-9]{1,6}") || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > MAX_LIMIT) {
                throw new IllegalArgumentException("limit: " + shown(limitText) + " (expected: 1-" + MAX_LIMIT + ")");
            }
            limit = Integer.parseInt(limitText);
        }
        return new TapFilter(namespace, service, link, method, path, statusClass, status, direction, limit);
    }

    /** Whether the watcher wants {@code event}; runs on the gateway's event loops, so it only compares. */
    public boolean matches(TapEvent event) {
        return (direction == null || direction == event.direction())
                && (namespace == null || namespace.equals(event.namespace()))
                && (service == null || service.equals(event.serviceName()) || service.equals(event.service()))
                && (link == null || link.equals(event.backend()))
                && (method == null || method.equals(event.method()))
                && (pathPrefix == null || event.path().startsWith(pathPrefix))
                && (statusClass == 0 || event.status() / 100 == statusClass)
                && (status == 0 || event.status() == status);
    }

    private static String dnsName(Map<String, List<String>> query, String key) {
        String value = one(query, key);
        if (value != null && !DNS_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(key + ": " + shown(value) + " (expected: a lowercase DNS name such as podinfo)");
        }
        return value;
    }

    private static String one(Map<String, List<String>> query, String key) {
        List<String> values = query.get(key);
        if (values == null || values.isEmpty()) {
            return null;
        }
        String value = values.get(0);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(key + ": empty (expected: a value, or leave the parameter out)");
        }
        if (value.length() > MAX_VALUE) {
            throw new IllegalArgumentException(key + ": " + value.length() + " characters (expected: at most " + MAX_VALUE + ")");
        }
        return value;
    }

    /** A value as an error message may quote it: short, and without control characters that could forge log lines. */
    private static String shown(String value) {
        StringBuilder shown = new StringBuilder();
        JsonText.string(shown, value.length() > 64 ? value.substring(0, 64) + "…" : value);
        return shown.toString();
    }
}
