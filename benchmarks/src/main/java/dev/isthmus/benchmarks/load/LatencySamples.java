package dev.isthmus.benchmarks.load;

import java.util.Arrays;

/**
 * Every latency of a window, kept exactly in a growing {@code long[]} and sorted once for percentiles.
 * At the rates one machine reaches in a 10 s window that is a few MiB; past {@link #MAX_SAMPLES} latencies
 * are no longer kept (request counts are kept elsewhere and stay exact). Not thread-safe: each load loop
 * keeps its own and they are merged at the end.
 */
final class LatencySamples {

    static final int MAX_SAMPLES = 20_000_000;

    private long[] values = new long[1 << 16];
    private int size;
    private boolean sorted;

    void add(long nanos) {
        if (size == values.length) {
            if (size >= MAX_SAMPLES) {
                return;
            }
            values = Arrays.copyOf(values, Math.min(MAX_SAMPLES, size * 2));
        }
        values[size++] = nanos;
        sorted = false;
    }

    void addAll(LatencySamples other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    /** The value at quantile {@code q} (0–1), nearest rank; 0 when empty. */
    long quantile(double q) {
        if (size == 0) {
            return 0;
        }
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
        int rank = (int) Math.ceil(q * size);
        return values[Math.min(size - 1, Math.max(0, rank - 1))];
    }

    long max() {
        return quantile(1);
    }
}
