package dev.isthmus.gateway.routing;

import java.time.Duration;

/**
 * A link's own probe settings (the Link's {@code spec.probeSpec}), where they differ from the gateway's:
 * each {@code null} component means "as the gateway's {@code probe:} settings say".
 */
public record ProbeOverrides(Duration period, Duration timeout, Integer failureThreshold) {

    public static final ProbeOverrides NONE = new ProbeOverrides(null, null, null);

    public ProbeOverrides {
        if (period != null && (period.isNegative() || period.isZero())) {
            throw new IllegalArgumentException("probe period: " + period + " (expected: a positive duration)");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("probe timeout: " + timeout + " (expected: a positive duration)");
        }
        if (failureThreshold != null && failureThreshold < 1) {
            throw new IllegalArgumentException("probe failureThreshold: " + failureThreshold + " (expected: at least 1)");
        }
    }
}
