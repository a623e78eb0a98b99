package dev.isthmus.gateway.probe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;

/**
 * The meters of one link's probe, tagged {@code link}: {@value #ALIVE} (Linkerd's {@code gateway_alive}),
 * {@value #LATENCY} of successful probes, and {@value #PROBES} by {@code result}. They are removed with
 * the link, so a scrape shows only links that are probed, and a link added again gets fresh meters.
 */
final class ProbeMetrics {

    static final String ALIVE = "isthmus.gateway.probe.alive";
    static final String LATENCY = "isthmus.gateway.probe.latency";
    static final String PROBES = "isthmus.gateway.probes";

    private final MeterRegistry registry;
    private final Timer latency;
    private final Counter successes;
    private final Counter failures;
    private final List<Meter> meters;
    /** Links start alive (see {@link LinkState}); written on the probe's loop, read by scrapes. */
    private volatile boolean alive = true;

    ProbeMetrics(MeterRegistry registry, String link) {
        this.registry = registry;
        Gauge aliveGauge = Gauge.builder(ALIVE, this, m -> m.alive ? 1 : 0).tag("link", link)
                .description("1 while the link's remote gateway answers its probes, 0 once it is dead").register(registry);
        latency = Timer.builder(LATENCY).tag("link", link)
                .description("Time a successful probe took: connect, mTLS handshake, request and answer")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        successes = Counter.builder(PROBES).tag("link", link).tag("result", "success")
                .description("Gateway probes, by result").register(registry);
        failures = Counter.builder(PROBES).tag("link", link).tag("result", "failure")
                .description("Gateway probes, by result").register(registry);
        meters = List.of(aliveGauge, latency, successes, failures);
    }

    /** One finished probe, and the link's status after it; {@code took} is null when it failed. */
    void probed(LinkStatus status, Duration took) {
        alive = status.alive();
        if (took == null) {
            failures.increment();
        } else {
            successes.increment();
            latency.record(took);
        }
    }

    void remove() {
        meters.forEach(registry::remove);
    }
}
