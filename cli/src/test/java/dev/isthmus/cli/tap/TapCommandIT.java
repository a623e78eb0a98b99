package dev.isthmus.cli.tap;

import static dev.isthmus.cli.CliRun.isthmus;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.isthmus.cli.CliRun;
import dev.isthmus.cli.TappedAdminServer;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code isthmus tap --gateway-admin} against a real admin server whose tap the test feeds, and against impostors. */
class TapCommandIT {

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

    static TapEvent event(String link, int status) {
        return new TapEvent(Instant.now(), TapEvent.Direction.OUTBOUND, "10.42.0.17:53422", "podinfo-east.test.svc.cluster.local:9898",
                link, "GET", "/env", status, 1_874_000, 0, 68, !link.equals("local"));
    }

    /** Runs the command in the background and publishes events once it watches, until it ends. */
    static CliRun tapWhilePublishing(TapEvent... events) throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> isthmus(
                List.of("tap", "--gateway-admin", admin).toArray(String[]::new)));
        return publishUntil(run, events);
    }

    static CliRun publishUntil(CompletableFuture<CliRun> run, TapEvent... events) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!run.isDone() && System.nanoTime() < until) {
            if (tap.watching()) {
                for (TapEvent event : events) {
                    tap.publish(event);
                }
            }
            Thread.sleep(50); // paces the publishing: the events go again until the CLI has what it waits for
        }
        return run.get(10, TimeUnit.SECONDS);
    }

    @Test
    void printsTheGatewaysEventsAsVizTapDoesAndEndsAtMaxEvents() throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> isthmus("tap", "--gateway-admin", admin,
                "-n", "test", "--link", "east", "--status", "2xx", "--max-events", "3", "--duration", "20s"));
        CliRun result = publishUntil(run, event("local", 200), event("east", 503), event("east", 200)).ok();

        assertThat(result.out().lines()).hasSize(3).allMatch(line -> line.equals("end proxy=out src=10.42.0.17:53422"
                + " dst=podinfo-east.test.svc.cluster.local:9898 backend=east tls=true :method=GET :path=/env :status=200"
                + " latency=1.874ms bytes=0/68 gateway=" + admin));
        awaitNoWatcher();
    }

    @Test
    void jsonOutputIsOneObjectALine() throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> isthmus("tap", "--gateway-admin", admin, "-o", "json",
                "--max-events", "2"));
        CliRun result = publishUntil(run, event("east", 200)).ok();
        assertThat(result.out().lines()).hasSize(2).allMatch(line -> line.startsWith("{\"time\":") && line.endsWith("\"gateway\":\"" + admin + "\"}"));
        awaitNoWatcher();
    }

    @Test
    void endsByItselfAfterTheDurationWhenNothingHappens() throws Exception {
        CliRun result = isthmus("tap", "--gateway-admin", admin, "--duration", "1s").ok();
        assertThat(result.out()).isEmpty();
        awaitNoWatcher();
    }

    @Test
    void aFilterTheGatewayRefusesIsShownWithItsReason() {
        CliRun result = isthmus("tap", "--gateway-admin", admin, "--status", "9xx", "--duration", "1s");
        assertThat(result.exit()).isNotZero();
        assertThat(result.err()).contains("cannot tap " + admin + ": HTTP 400 status: \"9xx\" (expected: a class such as 5xx, or a code 100-599)");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsAsked() {
        assertThat(isthmus("tap", "--gateway-admin", admin, "--max-events", "0").err())
                .contains("--max-events 0: out of range (expected: 1-100000)");
        assertThat(isthmus("tap", "--gateway-admin", admin, "-o", "yaml").err()).contains("--output yaml: unknown format");
        assertThat(isthmus("tap", "--gateway-admin", "ftp://x").err()).contains("not an http URL");
    }

    @Test
    void whatAnImpostorSendsIsReportedAndBoundedNotTrusted() throws Exception {
        HttpServer impostor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        impostor.createContext("/tap", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("<html>\n{\"dropped\":7}\n".getBytes(UTF_8));
                byte[] endless = "x".repeat(64 * 1024).getBytes(UTF_8);
                for (int i = 0; i < 64; i++) {
                    out.write(endless);
                }
                out.write(("\n" + "{\"time\":\"t\",\"direction\":\"inbound\",\"source\":\"s\",\"service\":\"svc\",\"backend\":\"local\","
                        + "\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"latencyMs\":1.0,\"bytesIn\":0,\"bytesOut\":0,\"tls\":true}\n")
                        .getBytes(UTF_8));
            }
        });
        impostor.start();
        try {
            String url = "http://127.0.0.1:" + impostor.getAddress().getPort();
            CliRun result = isthmus("tap", "--gateway-admin", url, "--duration", "5s").ok();
            assertThat(result.err()).contains(url + ": not a tap event: <html>")
                    .contains(url + " dropped 7 events")
                    .contains("skipped a line of more than 65536 bytes");
            assertThat(result.out().lines()).containsExactly(
                    "end proxy=in src=s dst=svc backend=local tls=true :method=GET :path=/ :status=200 latency=1.0ms bytes=0/0 gateway=" + url);
        } finally {
            impostor.stop(0);
        }
    }

    static void awaitNoWatcher() {
        Awaitility.await("the CLI's watcher left with it").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> tap.watchers() == 0);
    }
}
