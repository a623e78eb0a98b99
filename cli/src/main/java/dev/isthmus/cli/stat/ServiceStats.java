package dev.isthmus.cli.stat;

import java.time.Duration;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the gateways did for one service over a window.
 *
 * @param service the inbound target ({@code podinfo.test.svc.cluster.local:9898}) or the outbound route
 *     ({@code podinfo-east.test.svc.cluster.local:9898}) as the gateway's metrics name it
 * @param requests requests that finished in the window
 * @param successes those whose status was not 5xx (Linkerd's definition; 4xx are the client's doing)
 * @param mtls those that crossed between gateways over mTLS: every inbound request, and every outbound
 *     request forwarded to a linked cluster rather than a local backend
 * @param latency cumulative latency buckets, upper bound in seconds → requests in the window
 */
public record ServiceStats(String service, double requests, double successes, double mtls, Duration window,
        NavigableMap<Double, Double> latency) {

    public ServiceStats {
        latency = Collections.unmodifiableNavigableMap(new TreeMap<>(latency));
    }

    /** Successes over requests, in [0, 1]; {@code NaN} without requests. */
    public double successRate() {
        return requests > 0 ? successes / requests : Double.NaN;
    }

    public double requestsPerSecond() {
        double seconds = window.toNanos() / 1e9;
        return seconds > 0 ? requests / seconds : Double.NaN;
    }

    /** The latency quantile in seconds, {@code NaN} when unknown (no requests, no histogram). */
    public double latency(double quantile) {
        return requests > 0 ? Histograms.quantile(quantile, latency) : Double.NaN;
    }

    /** The share of requests carried over mTLS, in [0, 1]; {@code NaN} without requests. */
    public double tlsShare() {
        return requests > 0 ? mtls / requests : Double.NaN;
    }
}
