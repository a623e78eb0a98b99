package dev.isthmus.gateway.http;

import io.netty.channel.Channel;

/**
 * The idle connections of one pool with the time each went idle, in a fixed ring: the newest is leased
 * first (so under light load the others age out), the oldest is the first to expire. Releasing and
 * leasing allocate nothing, which a deque of (connection, time) pairs or a timer per connection would.
 * Used only on its pool's event loop.
 */
final class IdleConnections {

    private final Channel[] channels;
    private final long[] sinceNanos;
    /** The oldest's slot. */
    private int first;
    private int size;

    IdleConnections(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        channels = new Channel[capacity];
        sinceNanos = new long[capacity];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds {@code channel} as the newest, idle since {@code nowNanos}; false when the ring is full. */
    boolean offer(Channel channel, long nowNanos) {
        if (size == channels.length) {
            return false;
        }
        int slot = slot(size++);
        channels[slot] = channel;
        sinceNanos[slot] = nowNanos;
        return true;
    }

    /** Takes the newest out; null when there is none. */
    Channel pollNewest() {
        if (size == 0) {
            return null;
        }
        int slot = slot(--size);
        Channel channel = channels[slot];
        channels[slot] = null;
        return channel;
    }

    /** When the oldest went idle; only when not empty. */
    long oldestSinceNanos() {
        return sinceNanos[first];
    }

    /** Takes the oldest out if it went idle no later than {@code cutoffNanos}; null otherwise. */
    Channel pollIdleSince(long cutoffNanos) {
        if (size == 0 || sinceNanos[first] - cutoffNanos > 0) {
            return null;
        }
        Channel channel = channels[first];
        channels[first] = null;
        first = slot(1);
        size--;
        return channel;
    }

    /** Takes {@code channel} out wherever it is (its backend closed it); false if it is not here. */
    boolean remove(Channel channel) {
        for (int i = 0; i < size; i++) {
            if (channels[slot(i)] == channel) {
                for (int j = i; j < size - 1; j++) { // the younger ones move up one, keeping the order
                    channels[slot(j)] = channels[slot(j + 1)];
                    sinceNanos[slot(j)] = sinceNanos[slot(j + 1)];
                }
                channels[slot(--size)] = null;
                return true;
            }
        }
        return false;
    }

    private int slot(int index) {
        return (first + index) % channels.length;
    }
}
