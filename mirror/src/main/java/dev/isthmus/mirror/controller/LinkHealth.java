package dev.isthmus.mirror.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;

/**
 * What the local gateways say about one link, from their admin {@code GET /links}. A link is dead only
 * when every gateway that answered says so; with no answer the caller keeps what it knew, since a
 * restarting gateway must not make every mirror not-ready.
 */
public record LinkHealth(boolean alive, Double latencyMs, String lastError) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One gateway's view of {@code link} in a {@code /links} answer; empty when it does not list the link. */
    public static Optional<LinkHealth> parse(String body, String link) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("/links answer is not JSON: " + e.getOriginalMessage()
                    + " (expected: {\"links\":[{\"link\":...,\"alive\":...}]})");
        }
        JsonNode links = root == null ? null : root.get("links");
        if (links == null || !links.isArray()) {
            throw new IllegalArgumentException("/links answer has no \"links\" array (expected: {\"links\":[...]})");
        }
        for (JsonNode entry : links) {
            if (link.equals(entry.path("link").asText(null))) {
                JsonNode alive = entry.get("alive");
                if (alive == null || !alive.isBoolean()) {
                    throw new IllegalArgumentException("/links entry for link " + link + " has no boolean \"alive\"");
                }
                JsonNode latency = entry.get("latencyMs");
                JsonNode error = entry.get("lastError");
                return Optional.of(new LinkHealth(alive.asBoolean(),
                        latency != null && latency.isNumber() ? latency.asDouble() : null,
                        error != null && error.isTextual() ? error.asText() : null));
            }
        }
        return Optional.empty();
    }

    /**
     * Combines the gateways' answers: alive unless every answer says dead; empty when nobody answered.
     * A gateway that does not list the link has not probed it and does not count as dead.
     */
    public static Optional<LinkHealth> combine(List<Optional<LinkHealth>> answers) {
        if (answers.isEmpty()) {
            return Optional.empty();
        }
        LinkHealth best = null;
        for (Optional<LinkHealth> answer : answers) {
            LinkHealth health = answer.orElse(new LinkHealth(true, null, null));
            if (best == null || (health.alive && !best.alive)
                    || (health.alive == best.alive && health.latencyMs != null
                        && (best.latencyMs == null || health.latencyMs < best.latencyMs))) {
                best = health;
            }
        }
        return Optional.of(best);
    }
}
