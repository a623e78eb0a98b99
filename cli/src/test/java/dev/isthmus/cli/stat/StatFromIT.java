package dev.isthmus.cli.stat;

import static dev.isthmus.cli.CliRun.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.cli.TappedAdminServer;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code stat --from}: per-client figures from a real admin server's tap, which the test feeds from two clients. */
class StatFromIT {

    static TappedAdminServer gateway;
    static Tap tap;
    static String admin;

    @BeforeAll
    static void start() throws InterruptedException {
        gateway = TappedAdminServer.start();
        tap = gateway.tap();
        admin = gateway.url();
    }

    @AfterAll
    static void stop() {
        gateway.close();
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
