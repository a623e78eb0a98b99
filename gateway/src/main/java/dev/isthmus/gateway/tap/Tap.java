package dev.isthmus.gateway.tap;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's tap: who watches now, and where the data path hands its events. Off while nobody watches:
 * the data path's cost is then one volatile read ({@link #watching()}). Watchers are few and bounded
 * ({@code maxWatchers}), so each event is offered to each of them in turn.
 */
public final class Tap {

    public static final int DEFAULT_MAX_WATCHERS = 8;
    public static final int DEFAULT_BUFFER = 1024;

    private static final TapWatcher[] NONE = {};

    private final int maxWatchers;
    private final int bufferSize;
    private final AtomicLong dropped = new AtomicLong();
    private volatile TapWatcher[] watchers = NONE;

    public Tap() {
        this(DEFAULT_MAX_WATCHERS, DEFAULT_BUFFER);
    }

    /** @param bufferSize events each watcher may have waiting before more are dropped, rounded up to a power of two */
    public Tap(int maxWatchers, int bufferSize) {
        if (maxWatchers < 1) {
            throw new IllegalArgumentException("maxWatchers: " + maxWatchers + " (expected: 1 or more)");
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: 1 or more)");
        }
        this.maxWatchers = maxWatchers;
        this.bufferSize = bufferSize;
    }

    /** Whether any event would be seen: the data path builds one only when this is true. */
    public boolean watching() {
        return watchers.length != 0;
    }

    /** Hands {@code event} to every watcher whose filter wants it; never blocks. */
    public void publish(TapEvent event) {
        for (TapWatcher watcher : watchers) {
            watcher.offer(event);
        }
    }

    /** A new watcher, or {@code null} when {@code maxWatchers} already watch. */
    public synchronized TapWatcher watch(TapFilter filter) {
        TapWatcher[] now = watchers;
        if (now.length >= maxWatchers) {
            return null;
        }
        TapWatcher watcher = new TapWatcher(filter, bufferSize, dropped);
        TapWatcher[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = watcher;
        watchers = next;
        return watcher;
    }

    /** Removes {@code watcher}; what it still held is dropped with it. Removing one twice is harmless. */
    public synchronized void unwatch(TapWatcher watcher) {
        TapWatcher[] now = watchers;
        TapWatcher[] next = Arrays.stream(now).filter(w -> w != watcher).toArray(TapWatcher[]::new);
        if (next.length != now.length) {
            watchers = next.length == 0 ? NONE : next;
        }
    }

    public int watchers() {
        return watchers.length;
    }

    public int maxWatchers() {
        return maxWatchers;
    }

    /** Events dropped so far because a watcher's buffer was full, for a metric. */
    public long dropped() {
        return dropped.get();
    }
}
