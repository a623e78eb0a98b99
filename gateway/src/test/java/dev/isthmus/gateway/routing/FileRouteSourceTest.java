package dev.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRouteSourceTest {

    @TempDir Path dir;

    @Test
    void deliversTheFileThenEveryChangeAndIgnoresABadVersion() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, "services: [{name: a.b.svc.cluster.local, port: 80, endpoints: ['127.0.0.1:1']}]");
        LinkedBlockingQueue<RouteTable> tables = new LinkedBlockingQueue<>();
        try (FileRouteSource source = new FileRouteSource(file, Duration.ofMillis(20))) {
            source.start(tables::add);
            assertThat(tables.poll(5, TimeUnit.SECONDS).exported("a.b.svc.cluster.local", 80)).isNotNull();

            // Replaced whole, as a ConfigMap volume swaps its files: written in place, a poll between the truncation
            // and the write would read an empty file, which is a valid (empty) route table, not the bad version.
            Files.writeString(dir.resolve("bad.yaml"), "services: [{name: a.b.svc.cluster.local, port: 99999}]");
            Files.move(dir.resolve("bad.yaml"), file, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(dir.resolve("next.yaml"), "services: [{name: c.d.svc.cluster.local, port: 81}]");
            Thread.sleep(200); // several polls see the bad file
            assertThat(tables).isEmpty();

            Files.move(dir.resolve("next.yaml"), file, StandardCopyOption.REPLACE_EXISTING);
            RouteTable next = tables.poll(5, TimeUnit.SECONDS);
            assertThat(next.exported("c.d.svc.cluster.local", 81)).isNotNull();
            assertThat(next.exported("a.b.svc.cluster.local", 80)).isNull();
        }
    }
}
