package dev.isthmus.cli.tap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One line of a gateway's tap stream, read: an event, or a note that the gateway dropped some for this
 * reader. The human form follows {@code linkerd viz tap}'s {@code key=value} lines, {@code tls=true} included.
 */
public record TapLine(String gateway, JsonNode event, long dropped) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @throws IllegalArgumentException when the line is not a tap event, saying what it starts with
     */
    public static TapLine parse(String gateway, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(gateway + ": not a tap event: " + shown(line)
                    + " (expected: one JSON object a line, as GET /tap sends)");
        }
        if (node.has("dropped")) {
            return new TapLine(gateway, null, Math.max(0, node.path("dropped").asLong()));
        }
        if (!node.path("status").isInt() || !node.path("direction").isTextual()) {
            throw new IllegalArgumentException(gateway + ": not a tap event: " + shown(line)
                    + " (expected: an object with direction and status)");
        }
        return new TapLine(gateway, node, 0);
    }

    public boolean isEvent() {
        return event != null;
    }

    public boolean tls() {
        return event.path("tls").asBoolean(false);
    }

    /**
     * {@code end proxy=out src=127.0.0.1:53422 dst=podinfo-east.test.svc.cluster.local:9898 backend=east tls=true
     * :method=GET :path=/ :status=200 latency=1.874ms bytes=0/68 gateway=…}
     */
    public String human() {
        return "end proxy=" + ("inbound".equals(text("direction")) ? "in" : "out")
                + " src=" + text("source") + " dst=" + text("service") + " backend=" + text("backend")
                + " tls=" + tls() + " :method=" + text("method") + " :path=" + text("path")
                + " :status=" + event.path("status").asInt() + " latency=" + event.path("latencyMs").asDouble() + "ms"
                + " bytes=" + event.path("bytesIn").asLong() + "/" + event.path("bytesOut").asLong() + " gateway=" + gateway;
    }

    /** The event's own JSON, with the gateway it came from added. */
    public String json() {
        return ((com.fasterxml.jackson.databind.node.ObjectNode) event.deepCopy()).put("gateway", gateway).toString();
    }

    /** A text field without characters that could break the line (a path may hold anything a client sent). */
    private String text(String field) {
        String value = event.path(field).asText("-");
        StringBuilder clean = new StringBuilder(value.length());
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.isWhitespace(c) || c == 0x2028 || c == 0x2029) {
                for (byte b : new String(Character.toChars(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    clean.append(String.format("%%%02X", b & 0xff));
                }
            } else {
                clean.appendCodePoint(c);
            }
        });
        return clean.toString();
    }

    private static String shown(String line) {
        String start = line.length() > 60 ? line.substring(0, 60) + "…" : line;
        return start.codePoints().collect(StringBuilder::new,
                (b, c) -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c), StringBuilder::append).toString();
    }
}
