package dev.isthmus.cli.stat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-service statistics from two scrapes of each gateway's {@code /metrics}, as Micrometer's Prometheus
 * registry names the meters of {@code GatewayMetrics}:
 * <ul>
 *   <li>{@code isthmus_gateway_requests_total{target,status_class,peer}} and
 *       {@code isthmus_gateway_request_duration_seconds_bucket{target,le}}: requests received over mTLS;
 *   <li>{@code isthmus_gateway_outbound_requests_total{route,status_class,backend}} and
 *       {@code isthmus_gateway_outbound_request_duration_seconds_bucket{route,le}}: requests of local clients
 *       on outbound listeners, {@code backend} being the link they were forwarded to or {@code local}.
 * </ul>
 * Increases are taken per series of one gateway, then summed over gateways. A counter that went down
 * means the gateway restarted: its increase is then the new value, as Prometheus's {@code rate()} takes
 * it, and for a histogram all its buckets are taken from the second scrape together, so they stay
 * consistent. A series absent from the first scrape started in the window (Micrometer registers a meter on
 * its first request). Values that are {@code NaN} or infinite are no counts and are skipped.
 */
public final class GatewayStats {

    static final String INBOUND_REQUESTS = "isthmus_gateway_requests_total";
    static final String INBOUND_LATENCY = "isthmus_gateway_request_duration_seconds_bucket";
    static final String OUTBOUND_REQUESTS = "isthmus_gateway_outbound_requests_total";
    static final String OUTBOUND_LATENCY = "isthmus_gateway_outbound_request_duration_seconds_bucket";
    static final String BACKEND_LATENCY = "isthmus_gateway_outbound_backend_duration_seconds_bucket";
    static final String LOCAL_BACKEND = "local";

    private GatewayStats() {}

    /**
     * @param before each gateway's first scrape, by source; a gateway missing here counts from zero
     * @param after each gateway's second scrape, by source
     * @param window the time between them
     * @return one entry per service seen in a second scrape, sorted by name
     */
    public static List<ServiceStats> between(Map<String, List<Sample>> before, Map<String, List<Sample>> after,
            Duration window) {
        Map<String, Accumulator> services = new TreeMap<>();
        for (Map.Entry<String, List<Sample>> gateway : after.entrySet()) {
            for (Increase increase : increases(before.getOrDefault(gateway.getKey(), List.of()), gateway.getValue())) {
                add(services, gateway.getKey(), increase.sample(), increase.amount());
            }
        }
        List<ServiceStats> stats = new ArrayList<>();
        services.forEach((name, a) -> stats.add(new ServiceStats(name, a.requests, a.successes, a.mtls, window, a.latency)));
        return stats;
    }

    /**
     * Per route and backend (a link, or {@code local}): what {@code stat trafficsplit} shows, each leaf's share of
     * its route's requests. Latency comes from {@code isthmus_gateway_outbound_backend_duration_seconds}.
     */
    public static List<BackendStats> backends(Map<String, List<Sample>> before, Map<String, List<Sample>> after, Duration window) {
        Map<List<String>, Accumulator> leaves = new TreeMap<>(java.util.Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (Map.Entry<String, List<Sample>> gateway : after.entrySet()) {
            for (Increase increase : increases(before.getOrDefault(gateway.getKey(), List.of()), gateway.getValue())) {
                Sample sample = increase.sample();
                List<String> key = List.of(String.valueOf(sample.label("route")), String.valueOf(sample.label("backend")));
                if (sample.name().equals(OUTBOUND_REQUESTS)) {
                    leaves.computeIfAbsent(key, k -> new Accumulator()).requests(increase.amount(), sample.label("status_class"),
                            !LOCAL_BACKEND.equals(sample.label("backend")));
                } else if (sample.name().equals(BACKEND_LATENCY)) {
                    leaves.computeIfAbsent(key, k -> new Accumulator()).latency
                            .merge(bound(gateway.getKey(), sample), increase.amount(), Double::sum);
                }
            }
        }
        Map<String, Double> perRoute = new HashMap<>();
        leaves.forEach((key, a) -> perRoute.merge(key.get(0), a.requests, Double::sum));
        List<BackendStats> stats = new ArrayList<>();
        leaves.forEach((key, a) -> stats.add(new BackendStats(key.get(0), key.get(1), perRoute.get(key.get(0)),
                new ServiceStats(key.get(1), a.requests, a.successes, a.mtls, window, a.latency))));
        return stats;
    }

    /** Per link: every route's requests that went to it, summed, as {@code stat links} shows them. */
    public static List<ServiceStats> links(List<BackendStats> backends) {
        Map<String, Accumulator> links = new TreeMap<>();
        Duration window = Duration.ZERO;
        for (BackendStats leaf : backends) {
            if (LOCAL_BACKEND.equals(leaf.backend())) {
                continue;
            }
            ServiceStats s = leaf.stats();
            window = s.window();
            Accumulator a = links.computeIfAbsent(leaf.backend(), k -> new Accumulator());
            a.requests += s.requests();
            a.successes += s.successes();
            a.mtls += s.mtls();
            s.latency().forEach((bound, count) -> a.latency.merge(bound, count, Double::sum));
        }
        List<ServiceStats> stats = new ArrayList<>();
        Duration w = window;
        links.forEach((name, a) -> stats.add(new ServiceStats(name, a.requests, a.successes, a.mtls, w, a.latency)));
        return stats;
    }

    private static double bound(String source, Sample sample) {
        try {
            return parseBound(sample.label("le"));
        } catch (NumberFormatException e) {
            throw new MetricsFormatException(source + " line " + sample.line() + ": le=\"" + sample.label("le")
                    + "\" on " + sample.name() + " is not a bucket bound (expected: a number or +Inf)");
        }
    }

    /** Totals since each gateway started: the demo's view, and what a first scrape alone can tell. */
    public static List<ServiceStats> since(Map<String, List<Sample>> scrapes, Duration uptime) {
        return between(Map.of(), scrapes, uptime);
    }

    private record Increase(Sample sample, double amount) {}

    private static List<Increase> increases(List<Sample> before, List<Sample> after) {
        Map<String, Double> previous = new HashMap<>();
        for (Sample sample : before) {
            if (Double.isFinite(sample.value())) {
                previous.put(sample.series(), sample.value());
            }
        }
        Set<String> restarted = new HashSet<>();
        for (Sample sample : after) {
            Double old = previous.get(sample.series());
            if (old != null && Double.isFinite(sample.value()) && sample.value() < old) {
                restarted.add(group(sample));
            }
        }
        List<Increase> increases = new ArrayList<>();
        for (Sample sample : after) {
            if (!Double.isFinite(sample.value()) || !isCounted(sample.name())) {
                continue;
            }
            Double old = previous.get(sample.series());
            double amount = old == null || restarted.contains(group(sample)) ? sample.value() : sample.value() - old;
            increases.add(new Increase(sample, amount));
        }
        return increases;
    }

    /** The samples that move together: a histogram's buckets, or a counter on its own. */
    private static String group(Sample sample) {
        if (!sample.name().endsWith("_bucket")) {
            return sample.series();
        }
        TreeMap<String, String> labels = new TreeMap<>(sample.labels());
        labels.remove("le");
        return sample.name() + labels;
    }

    private static boolean isCounted(String name) {
        return name.equals(INBOUND_REQUESTS) || name.equals(INBOUND_LATENCY) || name.equals(OUTBOUND_REQUESTS)
                || name.equals(OUTBOUND_LATENCY) || name.equals(BACKEND_LATENCY);
    }

    private static void add(Map<String, Accumulator> services, String source, Sample sample, double amount) {
        switch (sample.name()) {
            case INBOUND_REQUESTS -> services.computeIfAbsent(sample.label("target"), k -> new Accumulator())
                    .requests(amount, sample.label("status_class"), true);
            case OUTBOUND_REQUESTS -> services.computeIfAbsent(sample.label("route"), k -> new Accumulator())
                    .requests(amount, sample.label("status_class"), !LOCAL_BACKEND.equals(sample.label("backend")));
            case INBOUND_LATENCY -> bucket(services, source, sample.label("target"), sample, amount);
            case OUTBOUND_LATENCY -> bucket(services, source, sample.label("route"), sample, amount);
            case BACKEND_LATENCY -> { } // per backend: stat trafficsplit's, not the service's
            default -> throw new IllegalStateException(sample.name());
        }
    }

    private static void bucket(Map<String, Accumulator> services, String source, String service, Sample sample,
            double amount) {
        double bound;
        try {
            bound = parseBound(sample.label("le"));
        } catch (NumberFormatException e) {
            throw new MetricsFormatException(source + " line " + sample.line() + ": le=\"" + sample.label("le")
                    + "\" on " + sample.name() + " is not a bucket bound (expected: a number or +Inf)");
        }
        services.computeIfAbsent(service, k -> new Accumulator()).latency.merge(bound, amount, Double::sum);
    }

    private static double parseBound(String le) {
        return switch (le) {
            case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
            default -> {
                if (le.isEmpty() || !le.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                    throw new NumberFormatException(le);
                }
                yield Double.parseDouble(le);
            }
        };
    }

    private static final class Accumulator {
        double requests;
        double successes;
        double mtls;
        final NavigableMap<Double, Double> latency = new TreeMap<>();

        void requests(double amount, String statusClass, boolean overMtls) {
            requests += amount;
            if (!statusClass.equals("5xx")) {
                successes += amount;
            }
            if (overMtls) {
                mtls += amount;
            }
        }
    }
}
