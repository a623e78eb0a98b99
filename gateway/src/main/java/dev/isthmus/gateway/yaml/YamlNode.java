package dev.isthmus.gateway.yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A value in a YAML document and the path that leads to it, so every error can say where it is
 * ({@code routes.yaml: services[1].port}) and what was expected there. Loading refuses duplicate keys,
 * alias bombs and documents over 4 MiB.
 */
public final class YamlNode {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|h|m|s)");

    private final Object value;
    private final String source;
    private final String path;

    private YamlNode(Object value, String source, String path) {
        this.value = value;
        this.source = source;
        this.path = path;
    }

    public static YamlNode parse(String yaml, String source) {
        try {
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                    .setCodePointLimit(4 * 1024 * 1024).build();
            return new YamlNode(new Load(settings).loadFromString(yaml), source, "");
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage().replaceAll("\\s+", " "), e);
        }
    }

    public boolean isMissing() {
        return value == null;
    }

    public boolean isString() {
        return value instanceof String;
    }

    /** The value at {@code key} of this mapping; a missing node when absent. */
    public YamlNode get(String key) {
        return new YamlNode(map().get(key), source, path.isEmpty() ? key : path + "." + key);
    }

    public YamlNode required(String key) {
        YamlNode node = get(key);
        if (node.isMissing()) {
            throw node.error("missing");
        }
        return node;
    }

    /** Refuses keys outside {@code allowed}: a typo must not be silently ignored. */
    public YamlNode onlyKeys(Set<String> allowed) {
        for (Object key : map().keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw error("unknown key '" + key + "' (expected one of " + allowed.stream().sorted().toList() + ")");
            }
        }
        return this;
    }

    public List<YamlNode> list() {
        if (isMissing()) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw error("is " + describe() + " (expected a list)");
        }
        List<YamlNode> nodes = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            nodes.add(new YamlNode(list.get(i), source, path + "[" + i + "]"));
        }
        return nodes;
    }

    public String string() {
        if (value instanceof String text && !text.isBlank()) {
            return text;
        }
        throw error("is " + describe() + " (expected a non-empty string)");
    }

    public String string(String fallback) {
        return isMissing() ? fallback : string();
    }

    public int port(int fallback) {
        if (isMissing()) {
            return fallback;
        }
        if (value instanceof Integer port && port >= 0 && port <= 65535) {
            return port;
        }
        throw error("'" + value + "' (expected a port number: 0-65535)");
    }

    /** A port a service listens on: 1-65535, no default. */
    public int servicePort() {
        if (value instanceof Integer port && port >= 1 && port <= 65535) {
            return port;
        }
        throw error("'" + value + "' (expected a port number: 1-65535)");
    }

    public int positiveInt(int fallback) {
        if (isMissing()) {
            return fallback;
        }
        if (value instanceof Integer number && number > 0) {
            return number;
        }
        throw error("'" + value + "' (expected a positive whole number)");
    }

    public boolean bool(boolean fallback) {
        if (isMissing()) {
            return fallback;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw error("'" + value + "' (expected: true or false)");
    }

    public Duration duration(Duration fallback) {
        if (isMissing()) {
            return fallback;
        }
        try {
            return parseDuration(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    /**
     * Durations as Kubernetes and Linkerd write them: {@code 24h}, {@code 1h30m}, {@code 90s}, {@code 500ms}.
     *
     * @throws IllegalArgumentException naming the expected form
     */
    public static Duration parseDuration(String text) {
        String expected = " (expected a duration such as 24h, 90m, 1h30m or 500ms)";
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration" + expected);
        }
        Matcher matcher = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        for (int at = 0; at < text.length(); at = matcher.end()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a duration" + expected);
            }
            try {
                long amount = Long.parseLong(matcher.group(1));
                total = total.plus(switch (matcher.group(2)) {
                    case "h" -> Duration.ofHours(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    default -> Duration.ofMillis(amount);
                });
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration" + expected);
            }
        }
        return total;
    }

    /** An error about this node: {@code source: path: message}. */
    public IllegalArgumentException error(String message) {
        return new IllegalArgumentException(source + ": " + (path.isEmpty() ? "the document" : path) + ": " + message);
    }

    /** Rewraps a domain error (say, a bad address) so it says where in the file it came from. */
    public IllegalArgumentException error(IllegalArgumentException cause) {
        return error(cause.getMessage());
    }

    private Map<?, ?> map() {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        if (value == null) {
            return Map.of();
        }
        throw error("is " + describe() + " (expected a mapping)");
    }

    private String describe() {
        return value == null ? "empty" : value instanceof Map ? "a mapping" : value instanceof List ? "a list" : "'" + value + "'";
    }
}
