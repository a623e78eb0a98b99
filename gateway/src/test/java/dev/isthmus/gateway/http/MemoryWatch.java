package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

/**
 * Samples, in the background, the buffer memory Netty holds in this JVM (the default allocator's
 * heap and direct memory, or Netty's own direct-memory count when it keeps one), and remembers the
 * most it grew above where it started. Gateway, backend and client all live in the test JVM, so this
 * bounds all three together.
 */
final class MemoryWatch implements AutoCloseable {

    private final long baseline = used();
    private volatile long peak = baseline;
    private volatile boolean running = true;
    private final Thread sampler = new Thread(this::sample, "memory-watch");

    MemoryWatch() {
        sampler.setDaemon(true);
        sampler.start();
    }

    static long used() {
        long counted = PlatformDependent.usedDirectMemory();
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return Math.max(counted, metric.usedDirectMemory()) + metric.usedHeapMemory(); // the two direct counts overlap
    }

    private void sample() {
        while (running) {
            long now = used();
            if (now > peak) {
                peak = now;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The largest growth seen so far, in bytes. */
    long growth() {
        return peak - baseline;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join();
    }
}
