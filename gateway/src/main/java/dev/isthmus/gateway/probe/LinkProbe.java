package dev.isthmus.gateway.probe;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Probes one link from one event loop, so its state needs no locks: a probe at once, then one every
 * jittered period, counted from the start of the previous one. A probe still out when the next is due
 * (a timeout longer than the period) makes that one be skipped rather than pile up. Readers on other
 * threads see the immutable {@link LinkStatus} of the last result.
 */
final class LinkProbe {

    /** Sends one probe on the loop; the future completes there with the probe's duration, or fails saying why. */
    @FunctionalInterface
    interface Sender {
        Future<Duration> send();
    }

    /** Told every result on the loop, and whether it changed {@code alive}. */
    @FunctionalInterface
    interface Observer {
        void probed(LinkStatus status, Duration took, boolean changed);
    }

    private final ProbedLink link;
    private final EventLoop loop;
    private final ProbeSettings settings;
    private final Sender sender;
    private final Clock clock;
    private final RandomGenerator random;
    private final Observer observer;
    private final LinkState state;
    private volatile LinkStatus status;
    private ScheduledFuture<?> next;
    private Future<Duration> inFlight;
    private boolean stopped;

    LinkProbe(ProbedLink link, EventLoop loop, ProbeSettings settings, Sender sender, Clock clock, RandomGenerator random,
            Observer observer) {
        this.link = link;
        this.loop = loop;
        this.settings = settings;
        this.sender = sender;
        this.clock = clock;
        this.random = random;
        this.observer = observer;
        this.state = new LinkState(settings.failureThreshold(), clock.instant());
        this.status = state.snapshot(link);
    }

    ProbedLink link() {
        return link;
    }

    LinkStatus status() {
        return status;
    }

    void start() {
        loop.execute(this::tick);
    }

    /** Stops probing and ends a probe in flight; a loop that is already shutting down stops everything by itself. */
    void stop() {
        try {
            loop.execute(() -> {
                stopped = true;
                if (next != null) {
                    next.cancel(false);
                }
                if (inFlight != null) {
                    inFlight.cancel(false);
                }
            });
        } catch (RejectedExecutionException e) {
            // the loop is gone, and with it the timer and the probe's connection
        }
    }

    private void tick() {
        if (stopped) {
            return;
        }
        next = loop.schedule(this::tick, settings.nextDelayNanos(random), TimeUnit.NANOSECONDS);
        if (inFlight != null) {
            return;
        }
        Future<Duration> probe = sender.send();
        inFlight = probe; // before the listener: a probe that failed at once completes inside addListener
        probe.addListener(f -> finished(probe));
    }

    private void finished(Future<Duration> probe) {
        inFlight = null;
        if (stopped || probe.isCancelled()) {
            return;
        }
        Duration took = probe.isSuccess() ? probe.getNow() : null;
        boolean changed = took != null ? state.succeeded(took, clock.instant())
                : state.failed(ProbeCall.describe(probe.cause()), clock.instant());
        status = state.snapshot(link);
        observer.probed(status, took, changed);
    }
}
