package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Routes from a YAML file ({@link RouteFile}), reloaded when its content changes. A file that cannot
 * be read or parsed is logged and ignored: the gateway keeps routing with the last good table.
 * Contents, not timestamps, are compared, because Kubernetes updates mounted ConfigMaps by
 * swapping symlinks.
 */
public final class FileRouteSource implements RouteSource {

    private static final Logger log = Logger.getLogger(FileRouteSource.class.getName());

    private final Path file;
    private final Duration interval;
    private final ScheduledExecutorService poller;
    private byte[] lastContent;
    private String lastError;

    public FileRouteSource(Path file, Duration interval) {
        this.file = requireNonNull(file, "file");
        this.interval = requireNonNull(interval, "interval");
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "isthmus-routes-" + file.getFileName());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Parses the file once, now; for a gateway that must not start with bad routes. */
    public static RouteTable load(Path file) {
        try {
            return RouteFile.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e, e);
        }
    }

    @Override
    public void start(Consumer<RouteTable> listener) {
        requireNonNull(listener, "listener");
        poller.scheduleWithFixedDelay(() -> poll(listener), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll(Consumer<RouteTable> listener) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            report(file + ": cannot be read, keeping the last routes: " + e);
            return;
        }
        if (Arrays.equals(content, lastContent)) {
            return;
        }
        lastContent = content;
        RouteTable table;
        try {
            table = RouteFile.parse(new String(content, StandardCharsets.UTF_8), file.toString());
        } catch (IllegalArgumentException e) {
            report(e.getMessage() + "; keeping the last routes");
            return;
        }
        lastError = null;
        log.info(() -> file + ": loaded " + table.size() + " exported service(s)");
        listener.accept(table);
    }

    /** Logs a problem once, not on every poll. */
    private void report(String error) {
        if (!error.equals(lastError)) {
            lastError = error;
            log.warning(error);
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
