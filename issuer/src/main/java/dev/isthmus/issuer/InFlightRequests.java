package dev.isthmus.issuer;

import java.time.Duration;

/**
 * Counts requests received but not yet answered, so that closing the service can wait for them; once
 * draining, every reply closes its connection.
 */
final class InFlightRequests {

    private int count;
    private volatile boolean draining;

    synchronized void started() {
        count++;
    }

    synchronized void finished() {
        count--;
        if (count == 0) {
            notifyAll();
        }
    }

    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    synchronized int count() {
        return count;
    }

    /** Waits until nothing is in flight, at most {@code timeout}; true if nothing is. */
    synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
