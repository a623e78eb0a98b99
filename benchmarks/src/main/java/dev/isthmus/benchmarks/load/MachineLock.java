package dev.isthmus.benchmarks.load;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * JMH's machine lock, {@code /tmp/jmh.lock}, taken the way JMH takes it: a load run and a JMH run must
 * not share the cores, or both measure each other. A run waits (bounded) for the lock, and holds it
 * until the JVM exits.
 */
final class MachineLock {

    static final Path FILE = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");

    /**
     * Every lock taken, so that none becomes unreachable: a FileChannel nobody references is closed by its cleaner
     * after the next collection, and its lock released with it, and callers drop what {@link #acquire} returns.
     */
    private static final List<FileLock> HELD = new CopyOnWriteArrayList<>();

    private MachineLock() {}

    /** @return the lock, held until the JVM exits; throws if it is still held by someone else after {@code wait} */
    static FileLock acquire(Duration wait) throws IOException, InterruptedException {
        return acquire(FILE, wait);
    }

    static FileLock acquire(Path file, Duration wait) throws IOException, InterruptedException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long until = System.nanoTime() + wait.toNanos();
        boolean told = false;
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    HELD.add(lock);
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                throw new IllegalStateException("this JVM already holds " + file, e);
            }
            if (System.nanoTime() > until) {
                channel.close();
                throw new IllegalStateException("another benchmark still holds " + file + " after " + wait.toSeconds()
                        + " s; run again when it is done");
            }
            if (!told) {
                System.out.println("waiting for " + file + ": another benchmark (JMH or a load run) is measuring ...");
                told = true;
            }
            Thread.sleep(1000);
        }
    }
}
