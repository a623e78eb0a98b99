package dev.isthmus.cli.stat;

import static dev.isthmus.cli.CliRun.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.gateway.admin.AdminServer;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code stat --from}: per-client figures from a real admin server's tap, which the test feeds from two clients. */
class StatFromIT {

    static EventLoopGroup group;
    static PrometheusMeterRegistry registry;
    static Tap tap;
    static AdminServer server;
    static String admin;

    @BeforeAll
    static void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        tap = new Tap();
        server = new AdminServer(registry, () -> null, List::of, tap, () -> RouteTable.EMPTY);
        admin = "http://127.0.0.1:" + server.start(group, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        registry.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static TapEvent from(String source, String service, int status, long millis, boolean tls) {
        return new TapEvent(Instant.now(), TapEvent.Direction.OUTBOUND, source, service, tls ? "east" : "local", "GET", "/", status,
                millis * 1_000_000, 0, 10, tls);
    }

    @Test
    void countsOnlyTheClientAskedForWithItsOwnLatencies() throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> isthmus("stat", "--from", "10.42.0.17",
                "--gateway-admin", admin, "--window", "3s"));
        Awaitility.await("the CLI watches the tap").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(tap::watching);
        for (int i = 0; i < 10; i++) {
            tap.publish(from("10.42.0.17:5000" + i, "podinfo", i == 0 ? 503 : 200, 10 + i, i % 2 == 0));
            tap.publish(from("10.42.0.170:6000", "podinfo", 500, 900, true)); // another client whose address starts alike
            tap.publish(from("10.42.0.99:6000", "other", 200, 1, false));
        }
        CliRun result = run.get(30, TimeUnit.SECONDS).ok();

        assertThat(result.out()).containsPattern("SERVICE\\s+SUCCESS\\s+RPS")
                .containsPattern("\\npodinfo\\s+90\\.00%\\s+[\\d.]+rps\\s+1\\dms\\s+1\\dms\\s+1\\dms\\s+50%\\n")
                .doesNotContain("other");
    }

    @Test
    void fromIsOnlyForServices() {
        assertThat(isthmus("stat", "links", "--from", "10.0.0.1", "--gateway-admin", admin).err())
                .contains("stat links --from 10.0.0.1: only per-service statistics can be per client (expected: stat svc --from <client>)");
    }
}
