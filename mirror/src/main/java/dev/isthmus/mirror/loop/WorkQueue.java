package dev.isthmus.mirror.loop;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keys waiting to be reconciled, with client-go's workqueue rules: a key is queued at most once, a key
 * added while it is being processed is processed again afterwards (never concurrently), and failures
 * come back after an exponentially growing delay.
 */
final class WorkQueue implements AutoCloseable {

    private final LinkedHashSet<String> queue = new LinkedHashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    /** Keys waiting out a debounce: more events for them within the delay add nothing. */
    private final Set<String> debouncing = ConcurrentHashMap.newKeySet();
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final ScheduledExecutorService delays;
    private boolean closed;

    WorkQueue(String name, Duration baseDelay, Duration maxDelay) {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.delays = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + "-requeue");
            thread.setDaemon(true);
            return thread;
        });
    }

    synchronized void add(String key) {
        if (closed || !dirty.add(key)) {
            return;
        }
        if (!processing.contains(key)) {
            queue.add(key);
            notifyAll();
        }
    }

    void addAfter(String key, Duration delay) {
        try {
            delays.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closed: nothing is reconciled any more
        }
    }

    /** Adds {@code key} after {@code delay}, once however many times this is called meanwhile: a burst makes one reconcile. */
    void addDebounced(String key, Duration delay) {
        if (debouncing.add(key) && !delays.isShutdown()) {
            try {
                delays.schedule(() -> {
                    debouncing.remove(key);
                    add(key);
                }, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                debouncing.remove(key);
            }
        }
    }

    /** Requeues after a failure; returns the number of failures of this key so far. */
    int addRateLimited(String key) {
        int count;
        synchronized (this) {
            count = failures.merge(key, 1, Integer::sum);
        }
        long delay = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(count - 1, 20));
        addAfter(key, Duration.ofMillis(delay));
        return count;
    }

    synchronized void forget(String key) {
        failures.remove(key);
    }

    /** The next key, or null when none arrives within {@code timeout} or the queue is closed. */
    synchronized String poll(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (queue.isEmpty() && !closed) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (closed) {
            return null;
        }
        String key = queue.iterator().next();
        queue.remove(key);
        processing.add(key);
        dirty.remove(key);
        return key;
    }

    synchronized void done(String key) {
        processing.remove(key);
        if (dirty.contains(key)) {
            queue.add(key);
            notifyAll();
        }
    }

    synchronized int size() {
        return queue.size();
    }

    synchronized boolean idle() {
        return queue.isEmpty() && processing.isEmpty() && debouncing.isEmpty();
    }

    @Override
    public synchronized void close() {
        closed = true;
        delays.shutdownNow();
        notifyAll();
    }
}
