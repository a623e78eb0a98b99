package dev.isthmus.gateway.tap;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One reader of the tap: its filter and its bounded buffer. The gateway's event loops offer events to it
 * without waiting; one reader drains them. When the buffer is full the event is dropped and counted: a
 * slow or absent reader sees a sample, and the traffic does not notice.
 */
public final class TapWatcher {

    private final TapFilter filter;
    private final Queue<TapEvent> buffer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedByAll;

    TapWatcher(TapFilter filter, int capacity, AtomicLong droppedByAll) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: 1 or more)");
        }
        this.filter = filter;
        this.droppedByAll = droppedByAll;
        // Many producers (the event loops), one consumer, no locks: an offer never blocks a proxy thread.
        this.buffer = PlatformDependent.newFixedMpscQueue(capacity);
    }

    public TapFilter filter() {
        return filter;
    }

    void offer(TapEvent event) {
        if (filter.matches(event) && !buffer.offer(event)) {
            dropped.incrementAndGet();
            droppedByAll.incrementAndGet();
        }
    }

    /** The next buffered event, or {@code null}; called by the one reader only. */
    public TapEvent poll() {
        return buffer.poll();
    }

    /** Events dropped since the last call, because the buffer was full. */
    public long takeDropped() {
        return dropped.getAndSet(0);
    }
}
