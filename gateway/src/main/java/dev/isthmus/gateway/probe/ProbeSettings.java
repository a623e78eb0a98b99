package dev.isthmus.gateway.probe;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.ProbeOverrides;
import dev.isthmus.gateway.transport.ProbeTarget;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How links are probed. The defaults are Linkerd's: every 3 s with up to 10 % jitter, dead after 3
 * failures in a row, a 2 s timeout, {@code GET /ready}.
 *
 * @param period time between the starts of two probes, before jitter
 * @param timeout how long one probe (connect, mTLS handshake, request, response) may take
 * @param failureThreshold consecutive failures that make a live link dead
 * @param jitter the fraction of the period each interval may be shorter or longer, so that many gateways
 *     started together do not probe in step
 * @param path the path asked for on the probe target
 */
public record ProbeSettings(Duration period, Duration timeout, int failureThreshold, double jitter, String path) {

    public static final ProbeSettings DEFAULTS = new ProbeSettings(Duration.ofSeconds(3), Duration.ofSeconds(2), 3, 0.1,
            ProbeTarget.READY);

    public ProbeSettings {
        requireNonNull(period, "period");
        requireNonNull(timeout, "timeout");
        requireNonNull(path, "path");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("probe period: " + period + " (expected: a positive duration)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe timeout: " + timeout + " (expected: a positive duration)");
        }
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("probe failureThreshold: " + failureThreshold + " (expected: at least 1)");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("probe jitter: " + jitter + " (expected: a fraction from 0 up to, not including, 1)");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("probe path: '" + path + "' (expected: an absolute path such as /ready)");
        }
    }

    /** These settings with a link's own where it has them. */
    public ProbeSettings with(ProbeOverrides link) {
        return new ProbeSettings(link.period() != null ? link.period() : period,
                link.timeout() != null ? link.timeout() : timeout,
                link.failureThreshold() != null ? link.failureThreshold() : failureThreshold, jitter, path);
    }

    /** The delay before the next probe, in nanoseconds: the period, shortened or lengthened by up to the jitter. */
    public long nextDelayNanos(RandomGenerator random) {
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Math.max(1, (long) (period.toNanos() * factor));
    }
}
