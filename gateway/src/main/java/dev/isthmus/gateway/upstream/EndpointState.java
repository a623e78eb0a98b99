package dev.isthmus.gateway.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the balancer knows about one backend instance: requests in flight, and whether recent failures
 * have ejected it for a while.
 */
public final class EndpointState {

    final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile long ejectedUntilNanos;
    private volatile int ejections;

    public int outstanding() {
        return outstanding.get();
    }

    boolean ejected(long nowNanos) {
        return ejectedUntilNanos - nowNanos > 0;
    }

    void succeeded() {
        consecutiveFailures.set(0);
        ejections = 0;
    }

    /**
     * Counts a failure; at {@code threshold} consecutive ones the endpoint is ejected, for a time that
     * doubles with each ejection in a row (capped), so a dead instance is probed rarely.
     */
    boolean failed(int threshold, long baseEjectionNanos, long nowNanos) {
        if (consecutiveFailures.incrementAndGet() < threshold) {
            return false;
        }
        consecutiveFailures.set(0);
        int times = Math.min(ejections++, 6);
        ejectedUntilNanos = nowNanos + (baseEjectionNanos << times);
        return true;
    }
}
