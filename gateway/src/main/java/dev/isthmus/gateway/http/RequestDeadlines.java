package dev.isthmus.gateway.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The request deadlines of one event loop: a doubly linked list of {@link Entry entries} ordered by
 * deadline, and at most one scheduled task, due no later than the first deadline. A deadline counts
 * from an entry's last progress, and every exchange of a gateway has the same timeout, so an entry that
 * starts or makes progress belongs at the end of the list: arming, re-arming and disarming are O(1) and
 * allocate nothing. A timer scheduled and cancelled per request cost an insertion into and a removal from
 * the event loop's priority queue for every request; here the task runs about once per timeout, and when
 * the list empties it is left to run once for nothing rather than cancelled.
 *
 * <p>Entries with a different timeout (two gateways in one process, say) still come out in deadline order:
 * an entry is put behind the last one due no later than itself, which is the tail whenever the timeouts are
 * the same. Used only on its event loop, so it needs no locks.
 */
final class RequestDeadlines {

    /** What the list holds: an exchange with a deadline, extended rather than wrapped so a request allocates nothing here. */
    abstract static class Entry {
        private Entry previous;
        private Entry next;
        private RequestDeadlines list;
        private long deadlineNanos;

        /** Called on the event loop when the deadline passed with no progress; the entry has left the list. */
        abstract void expired();

        /** True while the entry waits for its deadline. */
        final boolean armed() {
            return list != null;
        }

        /** Takes the entry out of its list; nothing happens if it is in none (finished twice, or already expired). */
        final void disarm() {
            if (list != null) {
                list.unlink(this);
            }
        }
    }

    /** One list per event loop thread; an embedded loop of a test on the same thread as another gets its own. */
    private static final FastThreadLocal<RequestDeadlines> OF_THREAD = new FastThreadLocal<>();

    private final EventExecutor loop;
    private final Runnable sweep = this::sweep;
    private Entry head;
    private Entry tail;
    private ScheduledFuture<?> pendingSweep;
    private long sweepAtNanos;

    RequestDeadlines(EventExecutor loop) {
        this.loop = loop;
    }

    /** The list of {@code loop}; call on {@code loop}. */
    static RequestDeadlines of(EventExecutor loop) {
        RequestDeadlines deadlines = OF_THREAD.get();
        if (deadlines == null || deadlines.loop != loop) {
            deadlines = new RequestDeadlines(loop);
            OF_THREAD.set(deadlines);
        }
        return deadlines;
    }

    /**
     * Makes {@code entry} due {@code timeoutNanos} from now: puts it in the list, or moves it within the list
     * when it was already in (progress restarts the count).
     */
    void arm(Entry entry, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
        }
        entry.disarm();
        long now = loop.ticker().nanoTime();
        entry.deadlineNanos = now + timeoutNanos;
        entry.list = this;
        Entry before = tail;
        while (before != null && before.deadlineNanos - entry.deadlineNanos > 0) {
            before = before.previous; // only with mixed timeouts: one timeout keeps the list in arming order
        }
        entry.previous = before;
        entry.next = before == null ? head : before.next;
        if (entry.next == null) {
            tail = entry;
        } else {
            entry.next.previous = entry;
        }
        if (before == null) {
            head = entry;
        } else {
            before.next = entry;
        }
        scheduleSweep(now);
    }

    /** How many entries wait; for tests. */
    int size() {
        int n = 0;
        for (Entry e = head; e != null; e = e.next) {
            n++;
        }
        return n;
    }

    private void unlink(Entry entry) {
        if (entry.previous == null) {
            head = entry.next;
        } else {
            entry.previous.next = entry.next;
        }
        if (entry.next == null) {
            tail = entry.previous;
        } else {
            entry.next.previous = entry.previous;
        }
        entry.previous = null;
        entry.next = null;
        entry.list = null;
    }

    /** Makes sure a sweep is due no later than the first deadline; one already due earlier will do. */
    private void scheduleSweep(long now) {
        if (head == null || pendingSweep != null && sweepAtNanos - head.deadlineNanos <= 0) {
            return;
        }
        if (pendingSweep != null) {
            pendingSweep.cancel(false); // only with mixed timeouts: a shorter one came in front of the pending sweep
        }
        sweepAtNanos = head.deadlineNanos;
        pendingSweep = loop.schedule(sweep, Math.max(0, sweepAtNanos - now), TimeUnit.NANOSECONDS);
    }

    /**
     * Expires every entry due by now, first due first. An expiry may arm, re-arm or disarm other entries (a
     * client's next request starts, say); the loop reads the head afresh each time, and anything armed
     * meanwhile is due after now, so the loop ends.
     */
    private void sweep() {
        pendingSweep = null;
        long now = loop.ticker().nanoTime();
        try {
            for (Entry due = head; due != null && due.deadlineNanos - now <= 0; due = head) {
                unlink(due);
                due.expired();
            }
        } finally {
            scheduleSweep(loop.ticker().nanoTime()); // an expiry that threw must not strand the entries behind it
        }
    }
}
