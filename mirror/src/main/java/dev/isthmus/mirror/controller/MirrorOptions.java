package dev.isthmus.mirror.controller;

import static java.util.Objects.requireNonNull;

import dev.isthmus.mirror.desired.PortRange;
import java.net.URI;
import java.time.Duration;

/**
 * How one link's mirror controller runs; the defaults are the contract's.
 *
 * @param identity the Lease holder identity, the pod name in a cluster
 * @param gatewayAdminUrl where to read {@code /links}; null to use the local gateway's endpoints
 */
public record MirrorOptions(
        PortRange portRange,
        Duration repairPeriod,
        Duration healthPeriod,
        URI gatewayAdminUrl,
        String identity,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod) {

    public MirrorOptions {
        requireNonNull(portRange, "portRange");
        requireNonNull(identity, "identity");
        positive(repairPeriod, "repairPeriod");
        positive(healthPeriod, "healthPeriod");
        positive(leaseDuration, "leaseDuration");
        positive(renewDeadline, "renewDeadline");
        positive(retryPeriod, "retryPeriod");
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("renewDeadline " + renewDeadline + " (expected: shorter than leaseDuration "
                    + leaseDuration + ")");
        }
    }

    public static MirrorOptions defaults(String identity) {
        return new MirrorOptions(PortRange.DEFAULT, Duration.ofMinutes(1), Duration.ofSeconds(3), null, identity,
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    public MirrorOptions withPortRange(PortRange range) {
        return new MirrorOptions(range, repairPeriod, healthPeriod, gatewayAdminUrl, identity, leaseDuration, renewDeadline, retryPeriod);
    }

    public MirrorOptions withRepairPeriod(Duration period) {
        return new MirrorOptions(portRange, period, healthPeriod, gatewayAdminUrl, identity, leaseDuration, renewDeadline, retryPeriod);
    }

    public MirrorOptions withHealthPeriod(Duration period) {
        return new MirrorOptions(portRange, repairPeriod, period, gatewayAdminUrl, identity, leaseDuration, renewDeadline, retryPeriod);
    }

    public MirrorOptions withGatewayAdminUrl(URI url) {
        return new MirrorOptions(portRange, repairPeriod, healthPeriod, url, identity, leaseDuration, renewDeadline, retryPeriod);
    }

    public MirrorOptions withLease(Duration duration, Duration renew, Duration retry) {
        return new MirrorOptions(portRange, repairPeriod, healthPeriod, gatewayAdminUrl, identity, duration, renew, retry);
    }

    private static void positive(Duration duration, String name) {
        requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: a positive duration)");
        }
    }
}
