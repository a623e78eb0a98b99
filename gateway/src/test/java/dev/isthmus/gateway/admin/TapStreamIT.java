package dev.isthmus.gateway.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /tap} on a real socket: the stream, its end, and what it does with hostile readers and queries. */
class TapStreamIT {

    static final int MAX_WATCHERS = 3;
    static EventLoopGroup group;
    static PrometheusMeterRegistry registry;
    static Tap tap;
    static AdminServer server;
    static int port;
    final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        tap = new Tap(MAX_WATCHERS, 64);
        server = new AdminServer(registry, () -> null, List::of, tap, () -> dev.isthmus.gateway.routing.RouteTable.EMPTY);
        port = server.start(group, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        registry.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeSockets() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        await(() -> tap.watchers() == 0, "every watcher left with its client");
    }

    static TapEvent event(String link, int status) {
        return new TapEvent(Instant.now(), TapEvent.Direction.OUTBOUND, "127.0.0.1:5000", "podinfo-east.test.svc.cluster.local:9898",
                link, "GET", "/env", status, 1_000_000, 0, 10, !link.equals("local"));
    }

    /** Opens a connection and sends {@code GET target}; the caller reads. */
    BufferedReader get(String target) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        sockets.add(socket);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: admin\r\n\r\n").getBytes(UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    static String statusLine(BufferedReader in) throws IOException {
        String status = in.readLine();
        for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
            // headers
        }
        return status;
    }

    /** The next line of the chunked body that is not chunk framing (each chunk here holds whole lines). */
    static String nextLine(BufferedReader in) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.isEmpty() && !line.matches("[0-9a-f]+")) {
                return line;
            }
            if (line.equals("0")) {
                return null;
            }
        }
        return null;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void aWatcherGetsTheMatchingEventsAsJsonLinesUntilItsLimit() throws Exception {
        BufferedReader in = get("/tap?link=east&status=2xx&limit=2");
        assertThat(statusLine(in)).isEqualTo("HTTP/1.1 200 OK");
        await(() -> tap.watchers() == 1, "the watcher is registered");
        tap.publish(event("local", 200));
        tap.publish(event("east", 503));
        tap.publish(event("east", 200));
        tap.publish(event("east", 204));
        tap.publish(event("east", 200));

        String first = nextLine(in);
        assertThat(first).startsWith("{\"time\":").contains("\"backend\":\"east\"", "\"status\":200", "\"tls\":true");
        assertThat(nextLine(in)).contains("\"status\":204");
        assertThat(nextLine(in)).as("the stream ends at its limit").isNull();
        assertThat(in.readLine()).as("the end of the chunked body").isEmpty();
        assertThat(in.readLine()).as("and the connection closes").isNull();
    }

    @Test
    void noMoreThanTheMostWatchersAreServedAndTheNextIsToldWhy() throws Exception {
        for (int i = 0; i < MAX_WATCHERS; i++) {
            assertThat(statusLine(get("/tap"))).isEqualTo("HTTP/1.1 200 OK");
        }
        BufferedReader refused = get("/tap");
        assertThat(statusLine(refused)).isEqualTo("HTTP/1.1 503 Service Unavailable");
        assertThat(refused.readLine()).isEqualTo("the tap has 3 watchers already (expected: fewer; try again when one has ended)");
    }

    @Test
    void aClientThatGoesAwayFreesItsPlace() throws Exception {
        get("/tap");
        await(() -> tap.watchers() == 1, "the watcher is registered");
        sockets.remove(0).close();
        await(() -> tap.watchers() == 0, "the watcher left");
        assertThat(tap.watching()).isFalse();
    }

    @Test
    void aWatcherThatDoesNotReadCostsABoundedBufferAndIsToldWhatItMissed() throws Exception {
        BufferedReader in = get("/tap");
        assertThat(statusLine(in)).isEqualTo("HTTP/1.1 200 OK");
        await(() -> tap.watchers() == 1, "the watcher is registered");
        // The publisher never waits: a hundred thousand events into a 64-event buffer, with nobody draining fast enough.
        for (int i = 0; i < 100_000; i++) {
            tap.publish(event("east", 200));
        }
        assertThat(tap.dropped()).isGreaterThan(90_000);
        long dropped = 0;
        int events = 0;
        for (String line; events + dropped < 100_000 && (line = nextLine(in)) != null; ) {
            if (line.startsWith("{\"dropped\":")) {
                dropped += Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else {
                events++;
            }
        }
        assertThat(events).as("what the buffer held").isLessThanOrEqualTo(64 + 256);
        assertThat(events + dropped).isEqualTo(100_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tap?limit=0", "/tap?status=9xx", "/tap?ns=%zz", "/tap?ns=a%00b", "/tap?ns=a&ns=b",
        "/tap?method=%E2%80%A8", "/tap?unknown=1", "/tap?path=no-slash", "/tap?svc=%22%3E%3Cscript%3E"})
    void hostileQueriesGetA400AndNoWatcher(String target) throws Exception {
        BufferedReader in = get(target);
        assertThat(statusLine(in)).isEqualTo("HTTP/1.1 400 Bad Request");
        assertThat(in.readLine()).matches("[^\\u0000-\\u001f]*\\(expected: [^)]*\\)");
        assertThat(tap.watchers()).isZero();
    }

    @Test
    void headSaysWhatWouldComeWithoutWatching() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        sockets.add(socket);
        socket.getOutputStream().write("HEAD /tap HTTP/1.1\r\nHost: admin\r\n\r\n".getBytes(UTF_8));
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
        assertThat(statusLine(in)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(tap.watchers()).isZero();
    }

    @Test
    void theStreamIsNotCutByTheAdminServersReadTimeoutNorAnsweredTwice() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        sockets.add(socket);
        // A second request pipelined behind the tap is not answered: the connection is the stream's now.
        socket.getOutputStream().write("GET /tap?limit=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /live HTTP/1.1\r\nHost: a\r\n\r\n"
                .getBytes(UTF_8));
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
        assertThat(statusLine(in)).isEqualTo("HTTP/1.1 200 OK");
        await(() -> tap.watchers() == 1, "the watcher is registered");
        tap.publish(event("east", 200));
        assertThat(nextLine(in)).contains("\"status\":200");
        StringBuilder rest = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            rest.append(line).append('\n');
        }
        assertThat(rest.toString()).doesNotContain("live");
    }
}
