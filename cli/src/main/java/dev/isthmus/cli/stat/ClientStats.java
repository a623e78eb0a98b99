package dev.isthmus.cli.stat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.isthmus.cli.tap.TapLine;
import dev.isthmus.cli.tap.TapSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * {@code stat --from <client>}: the gateways' metrics do not say who sent a request (a label per client
 * would grow without bound), but their tap does, request by request. So these statistics come from the
 * tap over the window: exact latencies, but a sample when the gateways drop events for a slow reader.
 */
final class ClientStats {

    private final String from;
    private final Map<String, List<JsonNode>> byService = new TreeMap<>();
    private long dropped;

    /** @param from a client address ({@code 10.42.0.17}, any port) or a peer gateway's identity ({@code spiffe://…}) */
    ClientStats(String from) {
        this.from = from;
    }

    /** Whether an event's source is the client asked for. */
    boolean matches(String source) {
        return source.equals(from) || source.startsWith(from + ":") && !from.startsWith("spiffe://");
    }

    /** Reads the session until the window is over. */
    void collect(TapSession session, Duration window) throws InterruptedException {
        long until = System.nanoTime() + window.toNanos();
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            TapLine line = session.next(Duration.ofNanos(left));
            if (line == null) {
                if (session.ended()) {
                    return;
                }
                continue;
            }
            if (!line.isEvent()) {
                dropped += line.dropped();
            } else if (matches(line.event().path("source").asText())) {
                byService.computeIfAbsent(line.event().path("service").asText(), k -> new ArrayList<>()).add(line.event());
            }
        }
    }

    long dropped() {
        return dropped;
    }

    List<ServiceStats> stats(Duration window) {
        List<ServiceStats> stats = new ArrayList<>();
        byService.forEach((service, events) -> {
            double successes = events.stream().filter(e -> e.path("status").asInt() < 500).count();
            double mtls = events.stream().filter(e -> e.path("tls").asBoolean()).count();
            // Each latency its own bucket bound: the quantiles are the events' own latencies.
            List<Double> seconds = events.stream().map(e -> e.path("latencyMs").asDouble() / 1000).sorted().toList();
            NavigableMap<Double, Double> buckets = new TreeMap<>();
            for (int i = 0; i < seconds.size(); i++) {
                buckets.put(seconds.get(i), (double) i + 1);
            }
            buckets.put(Double.POSITIVE_INFINITY, (double) seconds.size());
            stats.add(new ServiceStats(service, events.size(), successes, mtls, window, buckets));
        });
        return stats;
    }
}
