package dev.isthmus.gateway.admin;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.probe.LinkStatus;
import dev.isthmus.identity.SpiffeId;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin listener on a real socket: {@code /links} beside the other paths, and what it does with odd requests. */
class AdminServerIT {

    static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");

    static final List<LinkStatus> statuses = new CopyOnWriteArrayList<>();
    static EventLoopGroup group;
    static PrometheusMeterRegistry registry;
    static AdminServer server;
    static int port;

    @BeforeAll
    static void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = new AdminServer(registry, () -> null, () -> statuses, new dev.isthmus.gateway.tap.Tap(), () -> dev.isthmus.gateway.routing.RouteTable.EMPTY);
        port = server.start(group, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        registry.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void noLinks() {
        statuses.clear();
    }

    @Test
    void listsNoLinkWhenNothingIsProbed() throws IOException {
        Answer answer = send("GET /links HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("content-type")).isEqualTo("application/json");
        assertThat(answer.body()).isEqualTo("{\"links\":[]}\n");
    }

    @Test
    void listsEveryProbedLinkAsItIsNow() throws IOException {
        statuses.add(new LinkStatus("east", EAST, true, true, 0, Duration.ofMillis(3), null, Instant.parse("2026-11-25T13:00:00Z")));
        statuses.add(new LinkStatus("north", EAST, false, true, 4, Duration.ofMillis(3), "connection refused",
                Instant.parse("2026-11-25T13:05:00Z")));

        String body = send("GET /links HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").body();

        assertThat(body).startsWith("{\"links\":[{\"link\":\"east\"").contains("\"link\":\"north\",")
                .contains("\"alive\":false,\"probed\":true,\"consecutiveFailures\":4,\"latencyMs\":3.0,"
                        + "\"lastError\":\"connection refused\",\"lastChange\":\"2026-11-25T13:05:00Z\"");
        statuses.remove(1);
        assertThat(send("GET /links HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").body()).doesNotContain("north");
    }

    @Test
    void theDashboardIsOnePageThatLoadsNothingFromElsewhere() throws IOException {
        Answer answer = send("GET /dashboard HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(answer.header("content-security-policy")).startsWith("default-src 'none';").contains("connect-src 'self'");
        assertThat(answer.body()).startsWith("<!DOCTYPE html>").contains("fetch(\"dashboard.json\"")
                .doesNotContain("http://", "https://", "src=\"", "innerHTML");
        assertThat(send("GET /dashboard.json HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").body())
                .startsWith("{\"time\":").endsWith("\"refusals\":{}}\n");
    }

    @Test
    void aQueryStringIsIgnored() throws IOException {
        Answer answer = send("GET /links?link=east&format=yaml HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"links\":[]}\n");
    }

    @Test
    void headHasTheHeadersAndNoBody() throws IOException {
        Answer answer = send("HEAD /links HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("content-length")).isEqualTo(String.valueOf("{\"links\":[]}\n".length()));
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void otherMethodsAre405WithTheAllowedOnes() throws IOException {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            Answer answer = send(method + " /links HTTP/1.1\r\nHost: admin\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");

            assertThat(answer.status()).as(method).isEqualTo(405);
            assertThat(answer.header("allow")).isEqualTo("GET, HEAD");
            assertThat(answer.body()).contains(method).contains("expected GET or HEAD");
        }
    }

    @Test
    void pathsBesideLinksAreStillNotFound() throws IOException {
        for (String path : List.of("/links/", "/links/east", "/linksx", "/LINKS", "/%6cinks", "//links", "links")) {
            Answer answer = send("GET " + path + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

            assertThat(answer.status()).as(path).isIn(400, 404);
        }
        assertThat(send("GET /nope HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").body())
                .isEqualTo("no such path (expected /live, /ready, /metrics, /links, /tap, /dashboard or /dashboard.json)\n");
    }

    @Test
    void theOtherPathsAnswerAsBefore() throws IOException {
        assertThat(send("GET /live HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").body()).isEqualTo("live\n");
        assertThat(send("GET /ready HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").body()).isEqualTo("ready\n");
        assertThat(send("GET /metrics HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void keepAliveServesLinksTwiceOnOneConnection() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /links HTTP/1.1\r\nHost: admin\r\n\r\n"
                    + "GET /links HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
            String both = new String(socket.getInputStream().readAllBytes(), US_ASCII);

            assertThat(both.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        }
    }

    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Writes {@code request} as is and reads until the server closes: what a hand-made or hostile client sees. */
    static Answer send(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), US_ASCII);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("a complete response head in: %s", text).isPositive();
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
        }
    }
}
