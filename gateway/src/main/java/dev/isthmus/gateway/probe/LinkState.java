package dev.isthmus.gateway.probe;

import java.time.Duration;
import java.time.Instant;

/**
 * The alive/dead state machine of one link. It starts alive, as Linkerd's does: a gateway that restarts
 * must not take every link out of service before it has any evidence; a link that is really down is
 * dead after {@code failureThreshold} periods. One success revives a dead link. Confined to the link's
 * event loop.
 */
final class LinkState {

    private final int failureThreshold;
    private boolean alive = true;
    private boolean probed;
    private int consecutiveFailures;
    private Duration lastLatency;
    private String lastError;
    private Instant lastChange;

    LinkState(int failureThreshold, Instant started) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold: " + failureThreshold + " (expected: at least 1)");
        }
        this.failureThreshold = failureThreshold;
        this.lastChange = started;
    }

    /** Records a successful probe; true when it brought a dead link back. */
    boolean succeeded(Duration latency, Instant now) {
        probed = true;
        consecutiveFailures = 0;
        lastLatency = latency;
        lastError = null;
        return changeTo(true, now);
    }

    /** Records a failed probe; true when it made a live link dead. */
    boolean failed(String error, Instant now) {
        probed = true;
        lastError = error;
        if (consecutiveFailures < Integer.MAX_VALUE) {
            consecutiveFailures++;
        }
        return consecutiveFailures >= failureThreshold && changeTo(false, now);
    }

    private boolean changeTo(boolean nowAlive, Instant now) {
        if (alive == nowAlive) {
            return false;
        }
        alive = nowAlive;
        lastChange = now;
        return true;
    }

    boolean alive() {
        return alive;
    }

    LinkStatus snapshot(ProbedLink link) {
        return new LinkStatus(link.name(), link.identity(), alive, probed, consecutiveFailures, lastLatency, lastError, lastChange);
    }
}
