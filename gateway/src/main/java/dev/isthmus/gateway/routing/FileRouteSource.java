package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.files.WatchedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Routes from a YAML file ({@link RouteFile}), reloaded when its content changes. A file that cannot
 * be read or parsed is logged and ignored: the gateway keeps routing with the last good table.
 */
public final class FileRouteSource implements RouteSource {

    private static final Logger log = Logger.getLogger(FileRouteSource.class.getName());

    private final Path file;
    private final Duration interval;
    private WatchedFiles watch;

    public FileRouteSource(Path file, Duration interval) {
        this.file = requireNonNull(file, "file");
        this.interval = requireNonNull(interval, "interval");
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
    public synchronized void start(Consumer<RouteTable> listener) {
        requireNonNull(listener, "listener");
        watch = new WatchedFiles("routes", List.of(file), interval, contents -> {
            byte[] content = contents.get(file);
            if (content == null) {
                log.warning(file + ": cannot be read, keeping the last routes");
                return;
            }
            RouteTable table;
            try {
                table = RouteFile.parse(new String(content, StandardCharsets.UTF_8), file.toString());
            } catch (IllegalArgumentException e) {
                log.warning(e.getMessage() + "; keeping the last routes");
                return;
            }
            log.info(() -> file + ": loaded " + table.size() + " exported service(s)");
            listener.accept(table);
        }).start();
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
