package dev.isthmus.gateway.hostile;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.GatewayConfig;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.testing.TestPki;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an independent attack on a gateway pair found (issue 10), one {@code @Nested} class per kind of
 * finding, each asserting the outcome on the wire and its metric. Every section keeps its own gateways,
 * backends and clients: nothing is shared between sections.
 */
class HostileClientMatrixIT {

    /** Requests that were lost or waited far longer than they should: issue 10, items 1 to 4. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class RequestsLostOrDelayed {

        static final String H1 = "h1.test.svc.cluster.local";
        static final String H2C = "h2c.test.svc.cluster.local";
        static final String REQUESTS = "isthmus.gateway.requests";
        static final String OUTBOUND_REQUESTS = "isthmus.gateway.outbound.requests";
        /** How long a test waits for what a correct gateway does at once; the faults took 30 to 60 seconds. */
        static final Duration PATIENCE = Duration.ofSeconds(10);

        TestPki pki;
        MtlsClient peers;
        TestBackend http1;
        TestBackend h2c;

        @BeforeAll
        void start() throws Exception {
            pki = new TestPki();
            peers = new MtlsClient();
            http1 = new TestBackend(BackendProtocol.HTTP1);
            h2c = new TestBackend(BackendProtocol.H2C);
        }

        @AfterAll
        void stop() {
            peers.close();
            http1.close();
            h2c.close();
        }

        /** Three requests, the middle one with a body, written at once: HTTP/1.1 pipelining. */
        static final String PIPELINED = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /three HTTP/1.1\r\nHost: a\r\n\r\n";

        /** Where pipelined requests come in, and the kind of backend they go to. */
        enum PipelinePath {
            EAST_HTTP1_SESSION_TO_HTTP1, EAST_HTTP1_SESSION_TO_H2C, WEST_PLAIN_LISTENER_TO_HTTP1, WEST_PLAIN_LISTENER_TO_H2C;

            boolean east() {
                return name().startsWith("EAST");
            }

            boolean toH2c() {
                return name().endsWith("H2C");
            }
        }

        @ParameterizedTest
        @EnumSource(PipelinePath.class)
        void pipelinedRequestsAreAllAnsweredInOrder(PipelinePath path) throws Exception {
            TestBackend backend = path.toH2c() ? h2c : http1;
            String service = path.toH2c() ? H2C : H1;
            int listener = freePort();
            try (GatewayHarness gateway = gateway(listener)) {
                backend.seen.clear();
                String wire;
                if (path.east()) {
                    Channel peer = peers.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new MtlsClient.Collector());
                    try {
                        ByteBuf header = new TransportHeader(service, 80, SessionProtocol.HTTP1).encode(peer.alloc());
                        // The header and all three requests in one write, so they arrive in one read.
                        peer.writeAndFlush(Unpooled.wrappedBuffer(header, Unpooled.copiedBuffer(PIPELINED, ISO_8859_1))).sync();
                        wire = awaitResponses(() -> new String(MtlsClient.Collector.of(peer).received(), ISO_8859_1), 3);
                    } finally {
                        peer.close().sync();
                    }
                } else {
                    try (RawClient client = new RawClient(path.toH2c() ? listener + 1 : listener)) {
                        client.send(PIPELINED);
                        wire = client.awaitResponses(3);
                    }
                }

                assertThat(statuses(wire)).as("statuses on the wire:\n" + wire).containsExactly(200, 200, 200);
                assertThat(backend.seen).extracting(TestBackend.Seen::uri).containsExactly("/one", "/two", "/three");
                if (path.east()) {
                    assertThat(gateway.awaitCount(3, REQUESTS, "target", service + ":80", "status_class", "2xx")).isEqualTo(3);
                } else {
                    assertThat(gateway.awaitCount(3, OUTBOUND_REQUESTS, "route", path.toH2c() ? "h2c" : "h1",
                            "status_class", "2xx")).isEqualTo(3);
                }
            }
        }

        /** A gateway exporting both backends, and with outbound listeners for both on {@code listener} and the port after. */
        GatewayHarness gateway(int listener) throws InterruptedException {
            return gateway(listener, b -> {});
        }

        GatewayHarness gateway(int listener, Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
            ExportedService h1 = exported(H1, BackendProtocol.HTTP1, http1.port());
            ExportedService h2 = exported(H2C, BackendProtocol.H2C, h2c.port());
            RouteTable routes = new RouteTable("cluster.local", List.of(h1, h2), List.of(
                    new OutboundRoute(listener, "h1", List.of(new WeightedBackend(h1, 1))),
                    new OutboundRoute(listener + 1, "h2c", List.of(new WeightedBackend(h2, 1)))));
            return new GatewayHarness(pki, routes, HttpSessionInstaller.factory(), b -> {
                b.outboundHost("127.0.0.1");
                settings.accept(b);
            });
        }

        static ExportedService exported(String name, BackendProtocol protocol, int port) {
            return new ExportedService(name, 80, protocol, List.of(new Endpoint("127.0.0.1", port, true)));
        }

        /** A port with nothing on it, whose successor is free too (checked by binding both). */
        static int freePort() throws IOException {
            for (int attempt = 0; attempt < 20; attempt++) {
                try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    int port = first.getLocalPort();
                    if (port < 65535) {
                        try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                            return port;
                        } catch (IOException taken) {
                            // try another pair
                        }
                    }
                }
            }
            throw new IOException("no two adjacent free ports on loopback");
        }

        private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

        static List<Integer> statuses(String wire) {
            List<Integer> statuses = new ArrayList<>();
            Matcher matcher = STATUS_LINE.matcher(wire);
            while (matcher.find()) {
                statuses.add(Integer.parseInt(matcher.group(1)));
            }
            return statuses;
        }

        /** Waits (at most {@link #PATIENCE}) until {@code wire} holds {@code count} status lines; returns what it holds then. */
        static String awaitResponses(Supplier<String> wire, int count) throws InterruptedException {
            long until = System.nanoTime() + PATIENCE.toNanos();
            String now = wire.get();
            while (statuses(now).size() < count && System.nanoTime() < until) {
                Thread.sleep(10);
                now = wire.get();
            }
            return now;
        }

        /** A plain TCP client that writes raw bytes and collects whatever comes back. */
        static final class RawClient implements AutoCloseable {
            final Socket socket;
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean ended;

            RawClient(int port) throws IOException {
                socket = new Socket(InetAddress.getLoopbackAddress(), port);
                socket.setSoTimeout(50);
            }

            void send(String text) throws IOException {
                socket.getOutputStream().write(text.getBytes(ISO_8859_1));
                socket.getOutputStream().flush();
            }

            /** Reads until {@code count} status lines came, the gateway closed, or {@link #PATIENCE} passed. */
            String awaitResponses(int count) throws IOException {
                long until = System.nanoTime() + PATIENCE.toNanos();
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[8192];
                while (!ended && statuses(received.toString(ISO_8859_1)).size() < count && System.nanoTime() < until) {
                    try {
                        int n = in.read(buffer);
                        if (n < 0) {
                            ended = true;
                        } else {
                            received.write(buffer, 0, n);
                        }
                    } catch (SocketTimeoutException e) {
                        // nothing yet
                    }
                }
                return received.toString(ISO_8859_1);
            }

            @Override
            public void close() throws IOException {
                socket.close();
            }
        }
    }
}
