package dev.isthmus.identity.files;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches a few small files (certificates, keys, route files) and calls back with all their contents
 * whenever any of them changes, and once at the start. Contents, not timestamps, are compared:
 * Kubernetes updates a mounted Secret or ConfigMap by swapping a symlink, which can leave every mtime
 * the same. A missing or unreadable file is reported with a {@code null} content; what to do about it
 * (usually: keep the last good state) is the caller's call.
 */
public final class WatchedFiles implements AutoCloseable {

    private static final Logger log = Logger.getLogger(WatchedFiles.class.getName());
    private static final long MAX_BYTES = 4 << 20;

    private final List<Path> files;
    private final Consumer<Map<Path, byte[]>> onChange;
    private final ScheduledExecutorService poller;
    private final Duration interval;
    private Map<Path, byte[]> last;

    public WatchedFiles(String name, List<Path> files, Duration interval, Consumer<Map<Path, byte[]>> onChange) {
        this.files = List.copyOf(files);
        this.interval = requireNonNull(interval, "interval");
        this.onChange = requireNonNull(onChange, "onChange");
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "isthmus-watch-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Reads the files now and calls back on this thread, then keeps watching in the background. */
    public WatchedFiles start() {
        poll();
        poller.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private synchronized void poll() {
        Map<Path, byte[]> now = new LinkedHashMap<>();
        for (Path file : files) {
            now.put(file, read(file));
        }
        if (last != null && same(last, now)) {
            return;
        }
        last = now;
        try {
            onChange.accept(now);
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, "handling a change of " + files + " failed", e);
        }
    }

    private static boolean same(Map<Path, byte[]> a, Map<Path, byte[]> b) {
        for (Map.Entry<Path, byte[]> entry : a.entrySet()) {
            if (!Arrays.equals(entry.getValue(), b.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static byte[] read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                return null;
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
