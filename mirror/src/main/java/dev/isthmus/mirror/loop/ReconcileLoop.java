package dev.isthmus.mirror.loop;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One worker thread that takes keys off a {@link WorkQueue} and hands each to a {@link Reconciler}: a key
 * is queued once however many events name it, never reconciled twice at a time, and retried after a
 * failure with an exponential backoff capped at {@code maxDelay} until it succeeds (level-based
 * reconciling makes every retry safe). Closing lets the reconcile in progress finish.
 *
 * <p>Keys may be added before {@link #start()}: they wait until the worker runs, which is how a controller
 * collects events while it waits for its caches.
 */
public final class ReconcileLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** Failures before a retry is worth a warning rather than a debug line: one conflict or timeout is normal. */
    private static final int WARN_AFTER = 3;

    private final String name;
    private final Reconciler reconciler;
    private final WorkQueue queue;
    private volatile boolean running;
    private boolean closed;
    private Thread worker;

    /**
     * @param name the worker thread's name and the log lines' prefix, such as {@code isthmus-mirror-east}
     * @param firstDelay the delay before the first retry of a failed key; it doubles with each failure
     * @param maxDelay the longest delay between retries
     */
    public ReconcileLoop(String name, Duration firstDelay, Duration maxDelay, Reconciler reconciler) {
        this.name = requireNonNull(name, "name");
        this.reconciler = requireNonNull(reconciler, "reconciler");
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("retry delays: " + firstDelay + ", at most " + maxDelay
                    + " (expected: 0 < first delay <= max delay)");
        }
        this.queue = new WorkQueue(name, firstDelay, maxDelay);
    }

    /** Starts the worker; after {@link #close()} (a controller stopped while it waited for its caches) it does nothing. */
    public synchronized ReconcileLoop start() {
        if (worker != null) {
            throw new IllegalStateException("reconcile loop " + name + " started twice (expected: once)");
        }
        if (closed) {
            return this;
        }
        running = true;
        worker = new Thread(this::work, name + "-worker");
        worker.setDaemon(true);
        worker.start();
        return this;
    }

    /** Queues {@code key} for a reconcile, unless it waits already. */
    public void add(String key) {
        queue.add(requireNonNull(key, "key"));
    }

    /** Queues {@code key} after {@code delay}, once for all the calls within it: a burst of events makes one reconcile. */
    public void addDebounced(String key, Duration delay) {
        queue.addDebounced(requireNonNull(key, "key"), delay);
    }

    /** Queues {@code key} after {@code delay}. */
    public void addAfter(String key, Duration delay) {
        queue.addAfter(requireNonNull(key, "key"), delay);
    }

    /** True when no key waits, is debounced or is being reconciled; a retry waiting out its backoff does not count. */
    public boolean idle() {
        return queue.idle();
    }

    private void work() {
        try {
            while (running) {
                String key = queue.poll(POLL);
                if (key != null) {
                    process(key);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, name + ": the reconcile loop stopped", e);
        }
    }

    private void process(String key) {
        try {
            reconciler.reconcile(key);
            queue.forget(key);
        } catch (RuntimeException e) {
            int attempt = queue.addRateLimited(key);
            LOG.log(attempt >= WARN_AFTER ? Level.WARNING : Level.FINE, name + ": reconciling " + key + " failed (attempt "
                    + attempt + "), will retry: " + e.getMessage());
            try {
                reconciler.failed(key, attempt, e);
            } catch (RuntimeException again) {
                LOG.log(Level.WARNING, name + ": recording the failure of " + key + " failed too", again);
            }
        } finally {
            queue.done(key);
        }
    }

    /** Stops taking keys, waits a little for the reconcile in progress, and drops what is queued. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            this.running = false;
            running = worker;
        }
        queue.close();
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(STOP_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
