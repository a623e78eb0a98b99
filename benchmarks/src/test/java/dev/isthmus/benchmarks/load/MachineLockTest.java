package dev.isthmus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine lock is held until the JVM exits, whatever the caller does with what {@code acquire} returns. */
class MachineLockTest {

    @Test
    void staysHeldAfterTheCallerDropsItAndTheCollectorRan(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jmh.lock");
        MachineLock.acquire(file, Duration.ofSeconds(1)); // dropped, as GatewayLoad.main drops it
        // An unreachable FileChannel is closed by its cleaner after a collection, and its lock goes with it.
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
        }
        try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
            // Held by this JVM still: the JVM refuses a second lock on the same file.
            assertThatThrownBy(other::tryLock).isInstanceOf(OverlappingFileLockException.class);
        }
    }

    @Test
    void aSecondAcquireInTheSameJvmSaysItAlreadyHoldsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jmh.lock");
        FileLock first = MachineLock.acquire(file, Duration.ofSeconds(1));
        assertThat(first.isValid()).isTrue();
        assertThatThrownBy(() -> MachineLock.acquire(file, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("this JVM already holds " + file);
    }
}
