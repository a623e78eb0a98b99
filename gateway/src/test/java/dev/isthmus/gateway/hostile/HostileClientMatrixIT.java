package dev.isthmus.gateway.hostile;

import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.ECHO;
import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.H1;
import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.receivedUntilClose;
import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.write;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.hostile.LoopbackGatewayPair.RawClient;
import dev.isthmus.gateway.hostile.LoopbackGatewayPair.Side;
import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.probe.LinkStatus;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.EchoServer;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.HostileCertificates;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile clients against a real east/west gateway pair on loopback, one case of issue 10 per test, each
 * asserting what the client sees on the wire and the metric that counts it. Each nested class brings its
 * own gateways and shares nothing with the others.
 */
class HostileClientMatrixIT {

    /** Issue 10 item 5: slow clients and too many clients, on west's listeners and east's HTTP/1 sessions. */
    @Nested
    @TestInstance(Lifecycle.PER_CLASS)
    class Resources {

        static final String WEST_REJECTED = "isthmus.gateway.outbound.sessions.rejected";
        static final String EAST_REJECTED = "isthmus.gateway.sessions.rejected";
        static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

        LoopbackGatewayPair pair;

        @BeforeAll
        void start() throws Exception {
            pair = new LoopbackGatewayPair(config -> config.requestHeaderTimeout(HEADER_TIMEOUT));
        }

        @AfterAll
        void stop() {
            pair.close();
        }

        /**
         * A slowloris client: a request line, then one header byte at a time, never the blank line. It stops
         * writing once the gateway answers, so that the answer is not lost to a reset.
         */
        String slowloris(int port) throws Exception {
            try (RawClient client = new RawClient(port)) {
                client.send("GET /slow HTTP/1.1\r\nHost: podinfo-east:9898\r\n");
                client.socket.setSoTimeout(250);
                for (int i = 0; i < 80; i++) { // 20 s at most, far beyond the 1 s timeout
                    try {
                        int first = client.in.read();
                        client.socket.setSoTimeout(15_000);
                        return first == -1 ? "" : (char) first + client.readToEnd();
                    } catch (SocketTimeoutException stillWaiting) {
                        client.send(i % 2 == 0 ? "X" : "-");
                    }
                }
                return "<never answered>";
            }
        }

        /**
         * A client that opens an opaque tunnel through west and then sends nothing holds a connection on west and a
         * session on east. West has no idle timer of its own on tunnels: east's inbound one ends the session, and west's
         * relay then ends the client's connection, so the idle client holds nothing past east's idle timeout.
         */
        @Test
        void anOpaqueTunnelThatGoesQuietIsClosedAtEastsIdleTimeoutOnBothLegs() throws Exception {
            try (LoopbackGatewayPair quick = new LoopbackGatewayPair(config -> config.idleTimeout(Duration.ofSeconds(1)));
                    RawClient client = new RawClient(quick.echoOpaquePort)) {
                client.send("hello, east");
                byte[] echoed = client.in.readNBytes(11);
                assertThat(new String(echoed, ISO_8859_1)).isEqualTo("hello, east");
                long quietSince = System.nanoTime();

                assertThat(client.readToEnd()).as("west ended the client's connection, after no further bytes").isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).as("how long the quiet tunnel lived")
                        .isGreaterThan(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(10));
            }
        }

        @Test
        void twentySlowHeaderClientsOnWestGet408AndAreClosedAndCounted() throws Exception {
            pair.h1.seen.clear();
            double before = pair.west.count(WEST_REJECTED, "reason", "request_header_timeout");
            ExecutorService clients = Executors.newFixedThreadPool(20);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    answers.add(clients.submit(() -> slowloris(pair.h1Port)));
                }
                for (Future<String> answer : answers) {
                    assertThat(answer.get(60, TimeUnit.SECONDS)).startsWith("HTTP/1.1 408 Request Timeout\r\n")
                            .contains("connection: close");
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(pair.west.awaitCount(before + 20, WEST_REJECTED, "reason", "request_header_timeout")).isEqualTo(before + 20);
            assertThat(pair.h1.seen).as("no slow head reached the backend").isEmpty();
        }

        /**
         * h2c's slowloris: the preface and SETTINGS, then a HEADERS frame a byte at a time. No stream is open while the
         * frame trickles in, so the connection is held to the header timeout: GOAWAY, close, counted.
         */
        @Test
        void anH2cClientTricklingItsHeadersOnWestIsClosedAtTheHeaderTimeoutAndCounted() throws Exception {
            double before = pair.west.count(WEST_REJECTED, "reason", "request_header_timeout");
            try (RawClient client = new RawClient(pair.h1Port)) {
                client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\u0004\0\0\0\0\0"); // the preface, an empty SETTINGS
                client.send("\0\0\u0040\u0001\u0004\0\0\0\u0001"); // a HEADERS frame of 64 bytes on stream 1, its block to come
                client.socket.setSoTimeout(250);
                boolean closed = false;
                byte[] buffer = new byte[1024];
                for (int i = 0; i < 80 && !closed; i++) { // 20 s at most, far beyond the 1 s timeout
                    try {
                        closed = client.in.read(buffer) == -1;
                    } catch (SocketTimeoutException stillOpen) {
                        client.send("\u0082"); // one more byte of the header block
                    } catch (IOException reset) {
                        closed = true;
                    }
                }
                assertThat(closed).as("west closed the trickling h2c client").isTrue();
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "request_header_timeout")).isEqualTo(before + 1);
        }

        @Test
        void aClientThatPausesInsideItsMethodIsHeldToTheHeaderTimeoutNotTunnelled() throws Exception {
            double before = pair.west.count(WEST_REJECTED, "reason", "request_header_timeout");
            try (RawClient client = new RawClient(pair.h1Port)) {
                // Past the detect timeout, "GE" could still become a request: HTTP/1, not an opaque tunnel to east.
                assertThat(client.send("GE").readToEnd()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "request_header_timeout")).isEqualTo(before + 1);
        }

        @Test
        void slowHeaderPeersOnEastsHttp1SessionGet408AndAreClosedAndCounted() throws Exception {
            double before = pair.east.count(EAST_REJECTED, "reason", "request_header_timeout");
            List<Channel> sessions = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Channel session = pair.eastSession(H1, 80, SessionProtocol.HTTP1);
                write(session, "GET /slow HTTP/1.1\r\nHost: h1\r\nX-Slow: a");
                sessions.add(session);
            }
            for (Channel session : sessions) {
                assertThat(receivedUntilClose(session)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
                assertThat(session.isOpen()).as("east closed the session").isFalse();
            }
            assertThat(pair.east.awaitCount(before + 5, EAST_REJECTED, "reason", "request_header_timeout")).isEqualTo(before + 5);
        }

        @Test
        void aPeerThatSendsNoRequestOnItsHttp1SessionIsClosedAndCounted() throws Exception {
            double before = pair.east.count(EAST_REJECTED, "reason", "request_header_timeout");
            Channel session = pair.eastSession(H1, 80, SessionProtocol.HTTP1);

            assertThat(receivedUntilClose(session)).isEmpty();
            assertThat(session.isOpen()).isFalse();
            assertThat(pair.east.awaitCount(before + 1, EAST_REJECTED, "reason", "request_header_timeout")).isEqualTo(before + 1);
        }

        @Test
        void aKeepAliveClientIdleAfterItsResponseIsClosedQuietlyAndASlowSecondHeadGets408() throws Exception {
            double before = pair.west.count(WEST_REJECTED, "reason", "request_header_timeout");
            try (RawClient idle = new RawClient(pair.h1Port)) {
                assertThat(idle.send("GET /first HTTP/1.1\r\nHost: podinfo-east:9898\r\n\r\n").readResponse())
                        .startsWith("HTTP/1.1 200 ");
                assertThat(idle.readToEnd()).as("closed after the keep-alive gap, without a word").isEmpty();
            }
            assertThat(pair.west.count(WEST_REJECTED, "reason", "request_header_timeout")).as("a quiet client is no slow one")
                    .isEqualTo(before);

            try (RawClient slow = new RawClient(pair.h1Port)) {
                assertThat(slow.send("GET /first HTTP/1.1\r\nHost: podinfo-east:9898\r\n\r\n").readResponse())
                        .startsWith("HTTP/1.1 200 ");
                slow.send("GET /second HTTP/1.1\r\nHost: podin");
                assertThat(slow.readToEnd()).startsWith("HTTP/1.1 408 ");
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "request_header_timeout")).isEqualTo(before + 1);
        }

        @Test
        void westsListenersHoldTheConnectionLimitAndCountTheRefused() throws Exception {
            int port = LoopbackGatewayPair.freePorts(1)[0];
            // A header timeout long enough that no held client is let go while the test counts.
            try (Side limited = pair.anotherWest(port, config -> config.maxConnections(10).requestHeaderTimeout(Duration.ofSeconds(60)))) {
                List<RawClient> held = new ArrayList<>();
                try {
                    for (int i = 0; i < 10; i++) {
                        held.add(new RawClient(port).send("GET / HTTP/1.1\r\n"));
                    }
                    assertThat(limited.awaitGauge(10, "isthmus.gateway.outbound.connections.open")).isEqualTo(10);
                    for (int i = 0; i < 5; i++) {
                        try (RawClient over = new RawClient(port)) {
                            over.send("GET / HTTP/1.1\r\n");
                            assertThat(over.endedByGateway()).as("client %d over the limit is closed", i).isTrue();
                        }
                    }
                    assertThat(limited.awaitCount(5, WEST_REJECTED, "reason", "connection_limit")).isEqualTo(5);

                    held.remove(0).close();
                    assertThat(limited.awaitGauge(9, "isthmus.gateway.outbound.connections.open")).isEqualTo(9);
                    held.add(new RawClient(port).send("GET / HTTP/1.1\r\n"));
                    assertThat(limited.awaitGauge(10, "isthmus.gateway.outbound.connections.open"))
                            .as("a freed place takes a new client").isEqualTo(10);
                    assertThat(limited.count(WEST_REJECTED, "reason", "connection_limit")).isEqualTo(5);
                } finally {
                    for (RawClient client : held) {
                        client.close();
                    }
                }
            }
        }
    }

    /** Issue 10 items 11 and 12: HTTP semantics and protocol detection, on west's listeners and east's sessions. */
    @Nested
    @TestInstance(Lifecycle.PER_CLASS)
    class ProtocolHandling {

        static final String WEST_REJECTED = "isthmus.gateway.outbound.sessions.rejected";
        static final String EAST_REJECTED = "isthmus.gateway.sessions.rejected";

        LoopbackGatewayPair pair;

        @BeforeAll
        void start() throws Exception {
            pair = new LoopbackGatewayPair(config -> {});
        }

        @AfterAll
        void stop() {
            pair.close();
        }

        static String unescape(String text) {
            return text.replace("\\r", "\r").replace("\\n", "\n");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @CsvSource(delimiter = '|', value = {
            "two Host headers | GET / HTTP/1.1\\r\\nHost: podinfo-east:9898\\r\\nHost: evil.example\\r\\n\\r\\n | Host: 2 headers",
            "no Host on HTTP/1.1 | GET / HTTP/1.1\\r\\nAccept: */*\\r\\n\\r\\n | Host: missing",
        })
        void westAnswers400ToAnAmbiguousHostAndCountsIt(String name, String request, String reason) throws Exception {
            pair.h1.seen.clear();
            double before = pair.west.count(WEST_REJECTED, "reason", "malformed_request");
            double answered = pair.west.count("isthmus.gateway.outbound.requests", "route", "h1-east", "status_class", "4xx");
            try (RawClient client = new RawClient(pair.h1Port)) {
                String reply = client.send(unescape(request)).readToEnd();
                assertThat(reply).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("x-isthmus-error: " + reason);
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "malformed_request")).isEqualTo(before + 1);
            assertThat(pair.west.awaitCount(answered + 1, "isthmus.gateway.outbound.requests", "route", "h1-east", "status_class", "4xx"))
                    .isEqualTo(answered + 1);
            assertThat(pair.h1.seen).as("nothing reached the backend").isEmpty();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @CsvSource(delimiter = '|', value = {
            "two Host headers | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400 Bad Request",
            "no Host on HTTP/1.1 | GET / HTTP/1.1\\r\\n\\r\\n | 400 Bad Request",
            "an HTTP/2.0 request line | GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505 HTTP Version Not Supported",
            "HTTP/0.9 | GET /\\r\\n\\r\\n | 400 Bad Request",
        })
        void eastRefusesWhatItsHttp1SessionMustNotForwardAndCountsIt(String name, String request, String status) throws Exception {
            pair.h1.seen.clear();
            double before = pair.east.count(EAST_REJECTED, "reason", "malformed_request");
            Channel session = pair.eastSession(H1, 80, SessionProtocol.HTTP1);
            write(session, unescape(request));

            assertThat(receivedUntilClose(session)).startsWith("HTTP/1.1 " + status + "\r\n");
            assertThat(pair.east.awaitCount(before + 1, EAST_REJECTED, "reason", "malformed_request")).isEqualTo(before + 1);
            assertThat(pair.h1.seen).as("nothing reached the backend").isEmpty();
        }

        @Test
        void anHttp10RequestWithoutHostIsServed() throws Exception {
            try (RawClient client = new RawClient(pair.h1Port)) {
                assertThat(client.send("GET /old HTTP/1.0\r\n\r\n").readToEnd()).startsWith("HTTP/1.1 200 ");
            }
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @CsvSource(delimiter = '|', value = {
            "HTTP/0.9 | GET /\\r\\n\\r\\n | 400 Bad Request",
            "an HTTP/2.0 request line | GET / HTTP/2.0\\r\\nHost: podinfo-east\\r\\n\\r\\n | 505 HTTP Version Not Supported",
        })
        void westDoesNotTunnelAMalformedRequestLine(String name, String request, String status) throws Exception {
            pair.h1.seen.clear();
            double tunnels = pair.east.count("isthmus.gateway.received");
            double before = pair.west.count(WEST_REJECTED, "reason", "malformed_request");
            try (RawClient client = new RawClient(pair.h1Port)) {
                assertThat(client.send(unescape(request)).readToEnd()).startsWith("HTTP/1.1 " + status + "\r\n");
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "malformed_request")).isEqualTo(before + 1);
            assertThat(pair.h1.seen).as("no request reached the backend").isEmpty();
            assertThat(pair.east.count("isthmus.gateway.received")).as("and no bytes went through east").isEqualTo(tunnels);
        }

        /** A broken h2c preface is HTTP/2 gone wrong, not an HTTP/1 request nor a tunnel: GOAWAY PROTOCOL_ERROR. */
        @Test
        void westAnswersABrokenHttp2PrefaceWithGoAwayAndTunnelsNothing() throws Exception {
            pair.h1.seen.clear();
            double tunnels = pair.east.count("isthmus.gateway.received");
            double before = pair.west.count(WEST_REJECTED, "reason", "malformed_request");
            try (RawClient client = new RawClient(pair.h1Port)) {
                ByteBuffer frames = ByteBuffer.wrap(client.send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n").readToEnd().getBytes(ISO_8859_1));
                // The server's SETTINGS may come first; then the GOAWAY: length, type 7, flags, stream 0, last stream, code, debug.
                while (frames.remaining() >= 9 && frames.get(frames.position() + 3) != 0x7) {
                    int length = (frames.getShort(frames.position()) & 0xffff) << 8 | frames.get(frames.position() + 2) & 0xff;
                    frames.position(Math.min(frames.limit(), frames.position() + 9 + length));
                }
                assertThat(frames.remaining()).as("a GOAWAY frame").isGreaterThanOrEqualTo(17);
                assertThat(frames.getInt(frames.position() + 13)).as("error code PROTOCOL_ERROR").isEqualTo(1);
                assertThat(new String(frames.array(), frames.position() + 17, frames.remaining() - 17, ISO_8859_1))
                        .isEqualTo("invalid connection preface");
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "malformed_request")).isEqualTo(before + 1);
            assertThat(pair.h1.seen).as("no request reached the backend").isEmpty();
            assertThat(pair.east.count("isthmus.gateway.received")).as("and no bytes went through east").isEqualTo(tunnels);
        }

        @Test
        void westAnswers400ToARequestLineOverFourKilobytes() throws Exception {
            pair.h1.seen.clear();
            double before = pair.west.count(WEST_REJECTED, "reason", "malformed_request");
            try (RawClient client = new RawClient(pair.h1Port)) {
                String reply = client.send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: podinfo-east\r\n\r\n").readToEnd();
                assertThat(reply).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("request line is too long");
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "malformed_request")).isEqualTo(before + 1);
            assertThat(pair.h1.seen).isEmpty();
        }

        @Test
        void clearlyNonHttpBytesOnADetectingListenerStillTunnel() throws Exception {
            byte[] clientHello = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03};
            try (RawClient client = new RawClient(pair.echoPort)) {
                client.send(clientHello);
                assertThat(client.in.readNBytes(clientHello.length)).isEqualTo(clientHello);
            }
        }

        @Test
        void aListenerDeclaredOpaqueTunnelsEvenWhatLooksLikeHttp() throws Exception {
            String request = "GET / HTTP/1.1\r\nHost: podinfo-east\r\n\r\n";
            try (RawClient client = new RawClient(pair.echoOpaquePort)) {
                client.send(request);
                assertThat(new String(client.in.readNBytes(request.length()), ISO_8859_1)).as("echoed, not answered").isEqualTo(request);
            }
            assertThat(pair.west.count("isthmus.gateway.outbound.requests", "route", "echo-east-opaque", "status_class", "2xx"))
                    .as("no HTTP request was counted").isZero();
        }

        @Test
        void aListenerDeclaredHttpAnswersBytesThatAreNotHttpWith400() throws Exception {
            double before = pair.west.count(WEST_REJECTED, "reason", "malformed_request");
            try (RawClient client = new RawClient(pair.h1HttpPort)) {
                String reply = client.send(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, '\r', '\n', '\r', '\n'}).readToEnd();
                assertThat(reply).startsWith("HTTP/1.1 400 Bad Request\r\n");
            }
            assertThat(pair.west.awaitCount(before + 1, WEST_REJECTED, "reason", "malformed_request")).isEqualTo(before + 1);
        }

        @Test
        void aBodilessGetReachesAnHttp11BackendThroughBothGatewaysWithoutABody() throws Exception {
            pair.h1.seen.clear();
            double before = pair.west.count("isthmus.gateway.outbound.requests", "route", "h1-east", "status_class", "2xx");
            try (RawClient client = new RawClient(pair.h1Port)) {
                assertThat(client.send("GET /plain HTTP/1.1\r\nHost: podinfo-east:9898\r\n\r\n").readResponse()).startsWith("HTTP/1.1 200 ");
            }
            TestBackend.Seen seen = pair.h1.seen.poll(10, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.headers().contains("transfer-encoding")).as("no chunked body gained on the way").isFalse();
            assertThat(seen.headers().get("content-length")).isNull();
            assertThat(pair.west.awaitCount(before + 1, "isthmus.gateway.outbound.requests", "route", "h1-east", "status_class", "2xx"))
                    .isEqualTo(before + 1);
        }

        @Test
        void serviceNamesInAnyLetterCaseRouteLikeTheLowerCaseName() throws Exception {
            pair.h1.seen.clear();
            Channel session = pair.eastSession("H1.TEST.svc.Cluster.Local", 80, SessionProtocol.HTTP1);
            write(session, "GET /upper HTTP/1.1\r\nHost: H1.TEST.SVC.CLUSTER.LOCAL\r\nConnection: close\r\n\r\n");

            assertThat(receivedUntilClose(session)).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(pair.h1.seen.poll(10, TimeUnit.SECONDS).headers().get("host")).isEqualTo(H1 + ":80");
            assertThat(pair.east.awaitCount(1, "isthmus.gateway.requests", "target", H1 + ":80", "status_class", "2xx"))
                    .isGreaterThanOrEqualTo(1);

            try (RawClient client = new RawClient(pair.h2cPort)) {
                assertThat(client.send("GET / HTTP/1.1\r\nHost: PODINFO-EAST.Test.svc.cluster.local:9898\r\n\r\n").readResponse())
                        .startsWith("HTTP/1.1 200 ").endsWith("hello from H2C");
            }
        }

        @Test
        void anOpaqueSessionToAnUpperCaseNameIsRelayed() throws Exception {
            Channel session = pair.eastSession(ECHO.toUpperCase(), 7, SessionProtocol.OPAQUE);
            write(session, "ping");
            Awaitility.await("the echo of ping").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> collected(session).length() >= 4);
            assertThat(collected(session)).isEqualTo("ping");
            session.close();
        }

        static String collected(Channel session) {
            return new String(MtlsClient.Collector.of(session).received(), ISO_8859_1);
        }
    }

    /**
     * Items 6–8: extended key usage, ALPN, and the alert each refused certificate earns. The client is the
     * JDK's TLS engine ({@link AlertClient}) so the alert is read as the peer receives it.
     */
    @Nested
    @TestInstance(Lifecycle.PER_CLASS)
    class AuthenticationAndTls {

        static final String ECHO = "echo.test.svc.cluster.local";
        static final String FAILURES = "isthmus.gateway.handshake.failures";
        static final List<String> TRANSPORT = List.of(TlsContexts.ALPN_TRANSPORT);
        static final HttpSessions NO_HTTP = new HttpSessions() {
            @Override
            public void proxy(ChannelHandlerContext ctx, TransportHeader header, ExportedService service, SpiffeId peer) {
                ctx.close();
            }

            @Override
            public void refuse(ChannelHandlerContext ctx, TransportHeader header, int status, String reason) {
                ctx.close();
            }
        };

        TestPki pki;
        HostileCertificates hostile;
        EchoServer echo;
        GatewayHarness gateway;
        AlertClient client;

        @BeforeAll
        void start() throws Exception {
            pki = TestPki.create();
            hostile = new HostileCertificates(pki);
            echo = new EchoServer();
            gateway = new GatewayHarness(pki, new RouteTable("cluster.local", List.of(new ExportedService(ECHO, 7,
                    BackendProtocol.OPAQUE, List.of(new Endpoint("127.0.0.1", echo.port(), true))))), NO_HTTP, b -> {});
            client = new AlertClient();
        }

        @AfterAll
        void stop() {
            client.close();
            gateway.close();
            echo.close();
        }

        AlertClient.Outcome attempt(CertifiedKey credentials, List<String> alpn) throws Exception {
            return client.attempt(gateway.port(), credentials, alpn, new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
        }

        /** Attempts a connection and checks its alert, that nothing was served, and that {@code reason} counted it once. */
        void assertRefused(CertifiedKey credentials, List<String> alpn, String alert, String reason) throws Exception {
            double before = gateway.count(FAILURES, "reason", reason);
            int backendConnections = echo.connections();
            AlertClient.Outcome outcome = attempt(credentials, alpn);
            assertThat(outcome.alert()).as("alert received").isEqualTo(alert);
            assertThat(outcome.echoed()).as("served").isEmpty();
            assertThat(gateway.awaitCount(before + 1, FAILURES, "reason", reason)).as(reason).isEqualTo(before + 1);
            assertThat(echo.connections()).as("backend connections").isEqualTo(backendConnections);
        }

        @Test
        void aGoodPeerIsServed() throws Exception {
            AlertClient.Outcome outcome = attempt(pki.leaf(TestPki.PEER), TRANSPORT);
            assertThat(outcome.alert()).isNull();
            assertThat(outcome.echoed()).isEqualTo("ping");
        }

        // Item 6

        @Test
        void aClientCertificateForServerAuthOnlyIsRefusedAsUnsupported() throws Exception {
            assertRefused(hostile.withKeyUsage(KeyPurposeId.id_kp_serverAuth), TRANSPORT, "unsupported_certificate",
                    "wrong_key_usage");
        }

        @Test
        void aClientCertificateForCodeSigningOnlyIsRefusedAsUnsupported() throws Exception {
            assertRefused(hostile.withKeyUsage(KeyPurposeId.id_kp_codeSigning), TRANSPORT, "unsupported_certificate",
                    "wrong_key_usage");
        }

        @Test
        void aClientCertificateWithoutExtendedKeyUsageIsServedAsRfc5280Allows() throws Exception {
            AlertClient.Outcome outcome = attempt(hostile.withKeyUsage((KeyPurposeId[]) null), TRANSPORT);
            assertThat(outcome.alert()).isNull();
            assertThat(outcome.echoed()).isEqualTo("ping");
        }

        @Test
        void theOutboundSideRefusesARemoteGatewayWhoseCertificateIsNotForServerAuth() throws Exception {
            assertThat(outboundHandshake(hostile.withKeyUsage(TestPki.GATEWAY, KeyPurposeId.id_kp_clientAuth)))
                    .as("handshake failure").isNotNull().contains("serverAuth");
            assertThat(outboundHandshake(hostile.withKeyUsage(TestPki.GATEWAY, KeyPurposeId.id_kp_serverAuth)))
                    .as("handshake failure").isNull();
        }

        // Item 7

        @Test
        void aClientOfferingNoAlpnIsRefusedWithNoApplicationProtocol() throws Exception {
            assertRefused(pki.leaf(TestPki.PEER), List.of(), "no_application_protocol", "no_application_protocol");
        }

        @Test
        void aClientOfferingOnlyOtherProtocolsIsRefusedWithNoApplicationProtocol() throws Exception {
            for (String protocol : List.of("h2", "http/1.1", "transport.l5d.io/v2")) {
                assertRefused(pki.leaf(TestPki.PEER), List.of(protocol), "no_application_protocol", "no_application_protocol");
            }
        }

        @Test
        void aClientOfferingOurProtocolAmongOthersIsServed() throws Exception {
            AlertClient.Outcome outcome = attempt(pki.leaf(TestPki.PEER), List.of("h2", TlsContexts.ALPN_TRANSPORT));
            assertThat(outcome.echoed()).isEqualTo("ping");
        }

        // Item 8

        @Test
        void aCertificateFromAnotherAnchorGetsUnknownCa() throws Exception {
            assertRefused(HostileCertificates.fromAnotherAnchor(), TRANSPORT, "unknown_ca", "untrusted_certificate");
        }

        @Test
        void aCertificateWithoutItsIntermediateGetsUnknownCa() throws Exception {
            assertRefused(hostile.withoutIntermediate(), TRANSPORT, "unknown_ca", "untrusted_certificate");
        }

        @Test
        void aCertificateWithoutSanGetsBadCertificate() throws Exception {
            assertRefused(hostile.withoutSan(), TRANSPORT, "bad_certificate", "untrusted_certificate");
        }

        @Test
        void aCertificateWithOnlyADnsSanGetsBadCertificate() throws Exception {
            assertRefused(hostile.withDnsSanOnly(), TRANSPORT, "bad_certificate", "untrusted_certificate");
        }

        @Test
        void aCertificateWithTwoUriSansGetsBadCertificate() throws Exception {
            assertRefused(hostile.withTwoUriSans(), TRANSPORT, "bad_certificate", "untrusted_certificate");
        }

        @Test
        void aCertificateSignedByALeafGetsBadCertificate() throws Exception {
            assertRefused(hostile.signedByALeaf(), TRANSPORT, "bad_certificate", "untrusted_certificate");
        }

        @Test
        void anExpiredCertificateGetsCertificateExpired() throws Exception {
            assertRefused(pki.expiredLeaf(TestPki.PEER), TRANSPORT, "certificate_expired", "expired_certificate");
        }

        /**
         * Handshakes the outbound context (the one the dialer and the probe use) with a server presenting
         * {@code served}; returns the failure's messages, {@code null} when the handshake succeeded.
         */
        String outboundHandshake(CertifiedKey served) throws Exception {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                SslContext server = TlsContexts.server(served, pki.anchors(), TlsProviders.preferred(), Clock.systemUTC());
                Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(server.newHandler(ch.alloc()));
                            }
                        }).bind("127.0.0.1", 0).sync().channel();
                int port = ((InetSocketAddress) listener.localAddress()).getPort();
                SslContext context = TlsContexts.client(pki.leaf(TestPki.PEER), pki.anchors(), TestPki.GATEWAY,
                        TlsProviders.preferred(), Clock.systemUTC());
                // Kept from the start: a refused handshake can close the channel, and empty its pipeline, before connect returns.
                java.util.concurrent.atomic.AtomicReference<SslHandler> handler = new java.util.concurrent.atomic.AtomicReference<>();
                Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                handler.set(context.newHandler(ch.alloc(), TestPki.GATEWAY.dnsName(), port));
                                ch.pipeline().addLast(handler.get());
                            }
                        }).connect("127.0.0.1", port).sync().channel();
                SslHandler tls = handler.get();
                assertThat(tls.handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
                channel.close().sync();
                listener.close().sync();
                if (tls.handshakeFuture().isSuccess()) {
                    return null;
                }
                StringBuilder messages = new StringBuilder();
                for (Throwable t = tls.handshakeFuture().cause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                    messages.append(t).append('\n');
                }
                return messages.toString();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

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
            pki = TestPki.create();
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

        static final String CLOSING = "closing.test.svc.cluster.local";
        static final String SELF = "self.test.svc.cluster.local";
        static final String REJECTED = "isthmus.gateway.sessions.rejected";
        static final String RETRIES = "isthmus.gateway.upstream.retries";
        static final String GET = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
        static final String PROBES = "isthmus.gateway.probes";

        @Test
        void aBackendThatClosesWithoutAnsweringGetsAFast502AndTheGatewayClosesItsSocketToo() throws Exception {
            try (ClosingBackend backend = new ClosingBackend(0);
                    GatewayHarness gateway = gateway(freePort(), b -> {}, exported(CLOSING, BackendProtocol.HTTP1, backend.port()))) {
                Channel peer = eastSession(gateway, CLOSING, 80, GET);
                String wire = awaitResponses(() -> received(peer), 1);
                peer.close().sync();

                assertThat(statuses(wire)).as("statuses on the wire:\n" + wire).containsExactly(502);
                assertThat(wire).contains("closed the connection before responding");
                assertThat(backend.awaitClosedByGateway(1)).as("the gateway closed its side: no CLOSE-WAIT").isTrue();
                assertThat(gateway.awaitCount(1, REQUESTS, "target", CLOSING + ":80", "status_class", "5xx")).isEqualTo(1);
                assertThat(gateway.awaitCount(1, REJECTED, "reason", "backend_unavailable")).isEqualTo(1);
                assertThat(gateway.count(RETRIES, "reason", "closed_before_response"))
                        .as("a new connection that closes is no keep-alive race: not retried").isZero();
            }
        }

        @Test
        void anH2cBackendThatClosesWithoutAnsweringGetsAFast502AndTheGatewayClosesItsSocketToo() throws Exception {
            try (ClosingBackend backend = new ClosingBackend(0); // reads the connection preface, then ends its side
                    GatewayHarness gateway = gateway(freePort(), b -> {}, exported(CLOSING, BackendProtocol.H2C, backend.port()))) {
                Channel peer = eastSession(gateway, CLOSING, 80, GET);
                String wire = awaitResponses(() -> received(peer), 1);
                peer.close().sync();

                assertThat(statuses(wire)).as("statuses on the wire:\n" + wire).containsExactly(502);
                assertThat(backend.awaitClosedByGateway(1)).as("the gateway closed its side: no CLOSE-WAIT").isTrue();
                assertThat(gateway.awaitCount(1, REQUESTS, "target", CLOSING + ":80", "status_class", "5xx")).isEqualTo(1);
                assertThat(gateway.awaitCount(1, REJECTED, "reason", "backend_unavailable")).isEqualTo(1);
            }
        }

        @Test
        void aSafeRequestOnAReusedConnectionThatClosesGoesOnceMoreOnANewOneAndABodyDoesNot() throws Exception {
            // Each backend connection answers one request and closes (FIN) at the next: the keep-alive race, every time.
            try (ClosingBackend backend = new ClosingBackend(1);
                    GatewayHarness gateway = gateway(freePort(), b -> {}, exported(CLOSING, BackendProtocol.HTTP1, backend.port()))) {
                Channel peer = eastSession(gateway, CLOSING, 80, GET);
                awaitResponses(() -> received(peer), 1);
                peer.writeAndFlush(Unpooled.copiedBuffer(GET, ISO_8859_1)).sync();
                awaitResponses(() -> received(peer), 2);
                peer.writeAndFlush(Unpooled.copiedBuffer("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
                        ISO_8859_1)).sync();
                String wire = awaitResponses(() -> received(peer), 3);
                peer.close().sync();

                assertThat(statuses(wire)).as("statuses on the wire (backend connections: " + backend.connections + ", retries: "
                        + gateway.count(RETRIES, "reason", "closed_before_response") + "):\n" + wire).containsExactly(200, 200, 502);
                assertThat(backend.connections.get()).as("the GET went again on a second connection").isEqualTo(2);
                assertThat(gateway.awaitCount(1, RETRIES, "reason", "closed_before_response")).isEqualTo(1);
                assertThat(gateway.awaitCount(2, REQUESTS, "target", CLOSING + ":80", "status_class", "2xx")).isEqualTo(2);
                assertThat(backend.awaitClosedByGateway(2)).as("the gateway closed both dead connections").isTrue();
            }
        }

        @Test
        void aRouteToTheGatewaysOwnTlsPortIsAFast502() throws Exception {
            int listener = freePort();
            try (GatewayHarness gateway = gateway(listener)) {
                gateway.gateway().routes(routes(listener, exported(SELF, BackendProtocol.HTTP1, gateway.port())));
                Channel peer = eastSession(gateway, SELF, 80, GET);
                String wire = awaitResponses(() -> received(peer), 1);
                peer.close().sync();

                assertThat(statuses(wire)).as("statuses on the wire:\n" + wire).containsExactly(502);
                assertThat(gateway.awaitCount(1, REQUESTS, "target", SELF + ":80", "status_class", "5xx")).isEqualTo(1);
            }
        }

        @Test
        void anOutboundRouteThroughItselfIsAFast508() throws Exception {
            int listener = freePort();
            ExportedService itself = exported(SELF, BackendProtocol.HTTP1, listener);
            RouteTable loop = new RouteTable("cluster.local", List.of(), List.of(
                    new OutboundRoute(listener, "self", List.of(new WeightedBackend(itself, 1)))));
            try (GatewayHarness gateway = new GatewayHarness(pki, loop, b -> b.outboundHost("127.0.0.1"));
                    RawClient client = new RawClient(listener)) {
                client.send(GET);
                String wire = client.awaitResponses(1);

                assertThat(statuses(wire)).as("statuses on the wire:\n" + wire).containsExactly(508);
                // The request that came back around was refused (backend "none"); the first one relayed that answer.
                assertThat(gateway.awaitCount(1, OUTBOUND_REQUESTS, "route", "self", "status_class", "5xx", "backend", "none")).isEqualTo(1);
                assertThat(gateway.awaitCount(1, OUTBOUND_REQUESTS, "route", "self", "status_class", "5xx", "backend", "local")).isEqualTo(1);
                assertThat(gateway.awaitCount(1, REJECTED, "reason", "loop")).isEqualTo(1);
            }
        }


        @ParameterizedTest(name = "east cut with {0}")
        @ValueSource(strings = {"FIN", "RST"})
        void whenTheRemoteGatewayDiesNoRequestHangsAndItIsUsedAgainWhenItReturns(String cut) throws Exception {
            // East's own timeout ends the request its backend never answers, so that east can close at the end.
            try (GatewayHarness east = gateway(freePort(), b -> b.requestTimeout(Duration.ofSeconds(3)));
                    CutProxy eastAddress = new CutProxy(east.port())) {
                int listener = freePort();
                try (GatewayHarness west = west(listener, eastAddress.port());
                        RawClient inFlight = new RawClient(listener);
                        RawClient keepAlive = new RawClient(listener)) {
                    inFlight.send(GET);
                    keepAlive.send(GET);
                    assertThat(statuses(inFlight.awaitResponses(1))).containsExactly(200);
                    assertThat(statuses(keepAlive.awaitResponses(1))).containsExactly(200);
                    http1.seen.clear();
                    inFlight.send("GET /silent HTTP/1.1\r\nHost: a\r\n\r\n"); // east's backend never answers this one
                    assertThat(http1.seen.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isNotNull();

                    eastAddress.kill(cut.equals("RST"));

                    String inFlightWire = inFlight.awaitResponses(2);
                    assertThat(statuses(inFlightWire)).as("the request in flight, on the wire:\n" + inFlightWire).hasSize(2);
                    assertThat(statuses(inFlightWire).get(1)).isIn(502, 503);
                    keepAlive.send(GET);
                    String nextWire = keepAlive.awaitResponses(2);
                    assertThat(statuses(nextWire)).as("the next request, on the wire:\n" + nextWire).containsExactly(200, 503);

                    eastAddress.restart();
                    // Every request is answered at once, with 503 while the reconnect backoff lasts, then with 200.
                    int answered = 2;
                    int last = 503;
                    for (int attempt = 0; attempt < 50 && last != 200; attempt++) {
                        Thread.sleep(100); // lets the reconnect backoff run out while each request shows it is answered at once
                        keepAlive.send(GET);
                        List<Integer> statuses = statuses(keepAlive.awaitResponses(++answered));
                        assertThat(statuses).as("answers after east came back").hasSize(answered);
                        last = statuses.get(answered - 1);
                    }
                    assertThat(last).as("east serves again").isEqualTo(200);
                    assertThat(west.awaitCount(2, OUTBOUND_REQUESTS, "route", "h1-east", "status_class", "5xx", "backend", "east"))
                            .isGreaterThanOrEqualTo(2);
                }
            }
        }

        @Test
        void aPooledGatewayConnectionThatClosesUnderARequestIsRetriedOnANewOne() throws Exception {
            try (GatewayHarness east = gateway(freePort());
                    CutProxy eastAddress = new CutProxy(east.port())) {
                int listener = freePort();
                try (GatewayHarness west = west(listener, eastAddress.port());
                        RawClient client = new RawClient(listener)) {
                    client.send(GET);
                    assertThat(statuses(client.awaitResponses(1))).containsExactly(200);

                    // East closes the idle pooled connection just as the next request goes out on it: the keep-alive race.
                    eastAddress.cutAtNextBytes();
                    client.send(GET);
                    String wire = client.awaitResponses(2);

                    assertThat(statuses(wire)).as("statuses on the wire:\n" + wire).containsExactly(200, 200);
                    assertThat(west.awaitCount(1, RETRIES, "reason", "closed_before_response")).isEqualTo(1);
                    assertThat(west.awaitCount(2, OUTBOUND_REQUESTS, "route", "h1-east", "status_class", "2xx", "backend", "east"))
                            .isEqualTo(2);
                }
            }
        }

        @Test
        void westsProbeKeepsEastAliveWhileEastHoldsAllTheConnectionsItMay() throws Exception {
            int limit = 4;
            ProbeSettings fast = new ProbeSettings(Duration.ofMillis(100), Duration.ofSeconds(2), 3, 0.1, "/ready");
            // Connections that never start their handshake hold their place in east's table for the whole test.
            try (GatewayHarness east = gateway(freePort(), b -> b.maxConnections(limit).handshakeTimeout(Duration.ofSeconds(60)))) {
                int listener = freePort();
                List<Socket> squatters = new ArrayList<>();
                try (GatewayHarness west = west(listener, east.port(), fast);
                        RawClient client = new RawClient(listener)) {
                    client.send(GET);
                    assertThat(statuses(client.awaitResponses(1))).containsExactly(200);

                    for (int i = 0; i < limit + 2; i++) {
                        squatters.add(new Socket(InetAddress.getLoopbackAddress(), east.port()));
                    }
                    assertThat(east.awaitCount(1, REJECTED, "reason", "connection_limit")).as("east's table is full").isPositive();
                    List<LinkStatus> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
                    west.gateway().probes().onTransition(transitions::add);
                    double before = west.count(PROBES, "link", "east", "result", "success");
                    double after = west.awaitCount(before + 10, PROBES, "link", "east", "result", "success");

                    assertThat(after).as("probes answered while east is full").isGreaterThanOrEqualTo(before + 10);
                    assertThat(west.gateway().probes().alive("east")).isTrue();
                    assertThat(transitions).as("the link never went dead").isEmpty();
                    client.send(GET);
                    assertThat(statuses(client.awaitResponses(2))).as("requests still reach east").containsExactly(200, 200);
                } finally {
                    for (Socket squatter : squatters) {
                        squatter.close();
                    }
                }
            }
        }

        /**
         * West: an outbound listener on {@code listener} for east's {@link #H1} at {@code eastPort}, requests timing
         * out after 30 s (three times the tests' patience), and one probe only, at the start, so that link health
         * stays what that probe found and only the data path is tested.
         */
        GatewayHarness west(int listener, int eastPort) throws Exception {
            return west(listener, eastPort, new ProbeSettings(Duration.ofHours(1), Duration.ofSeconds(2), 3, 0.1, "/ready"));
        }

        GatewayHarness west(int listener, int eastPort, ProbeSettings probes) throws Exception {
            RouteTable routes = new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(listener, "h1-east",
                    new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", eastPort, true)), TestPki.GATEWAY, H1, 80))));
            GatewayHarness west = new GatewayHarness(pki, routes, b -> b
                    .identity(TestPki.PEER) // the Forwarded element's by=: not east's, or east would see a loop
                    .outboundHost("127.0.0.1")
                    .connectTimeout(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(30))
                    .probe(probes));
            Awaitility.await("west's first probe of east").atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                    .until(() -> west.gateway().probes().status("east").map(LinkStatus::probed).orElse(false));
            assertThat(west.gateway().probes().alive("east")).as("east probed alive").isTrue();
            return west;
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

        GatewayHarness gateway(int listener, Consumer<GatewayConfig.Builder> settings, ExportedService... extra)
                throws InterruptedException {
            return new GatewayHarness(pki, routes(listener, extra), b -> {
                b.outboundHost("127.0.0.1");
                settings.accept(b);
            });
        }

        RouteTable routes(int listener, ExportedService... extra) {
            ExportedService h1 = exported(H1, BackendProtocol.HTTP1, http1.port());
            ExportedService h2 = exported(H2C, BackendProtocol.H2C, h2c.port());
            List<ExportedService> services = new ArrayList<>(List.of(h1, h2));
            services.addAll(List.of(extra));
            return new RouteTable("cluster.local", services, List.of(
                    new OutboundRoute(listener, "h1", List.of(new WeightedBackend(h1, 1))),
                    new OutboundRoute(listener + 1, "h2c", List.of(new WeightedBackend(h2, 1)))));
        }

        /** Opens an HTTP/1 session to {@code service} on {@code gateway}'s inbound port and writes {@code requests} with the header. */
        Channel eastSession(GatewayHarness gateway, String service, int port, String requests) throws Exception {
            Channel peer = peers.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new MtlsClient.Collector());
            ByteBuf header = new TransportHeader(service, port, SessionProtocol.HTTP1).encode(peer.alloc());
            peer.writeAndFlush(Unpooled.wrappedBuffer(header, Unpooled.copiedBuffer(requests, ISO_8859_1))).sync();
            return peer;
        }

        static String received(Channel peer) {
            return new String(MtlsClient.Collector.of(peer).received(), ISO_8859_1);
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
        static String awaitResponses(Supplier<String> wire, int count) {
            try {
                return Awaitility.await(count + " responses").atMost(PATIENCE).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(10)).until(wire::get, now -> statuses(now).size() >= count);
            } catch (ConditionTimeoutException e) {
                return wire.get(); // the caller's assertion on the wire says what is missing
            }
        }

        /**
         * An HTTP/1.1 backend on blocking sockets: each connection answers its first {@code answered} requests
         * (keep-alive), then reads one more and ends its side (FIN) without a word, and keeps the socket open to
         * see whether the gateway closes its side too.
         */
        static final class ClosingBackend implements AutoCloseable {
            final ServerSocket server;
            final int answered;
            final AtomicInteger connections = new AtomicInteger();
            final AtomicInteger closedByGateway = new AtomicInteger();
            final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());

            ClosingBackend(int answered) throws IOException {
                this.answered = answered;
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Thread acceptor = new Thread(this::accept, "closing-backend");
                acceptor.setDaemon(true);
                acceptor.start();
            }

            int port() {
                return server.getLocalPort();
            }

            private void accept() {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        sockets.add(socket);
                        connections.incrementAndGet();
                        Thread serving = new Thread(() -> serve(socket), "closing-backend-connection");
                        serving.setDaemon(true);
                        serving.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }

            private void serve(Socket socket) {
                try (socket) {
                    socket.setSoTimeout(30_000);
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    for (int n = 0; readRequest(in); n++) {
                        if (n < answered) {
                            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(ISO_8859_1));
                            socket.getOutputStream().flush();
                            continue;
                        }
                        socket.shutdownOutput();
                        while (in.read() != -1) {
                            // whatever the gateway still sends, until it closes
                        }
                        closedByGateway.incrementAndGet();
                        return;
                    }
                } catch (IOException e) {
                    // a reset or the test's end
                }
            }

            /** Reads one request, head and body (by length or chunks); false at the end of input. */
            private static boolean readRequest(InputStream in) throws IOException {
                String head = line(in);
                if (head == null) {
                    return false;
                }
                long length = 0;
                boolean chunked = false;
                for (String header; !(header = line(in)).isEmpty(); ) {
                    String lower = header.toLowerCase(java.util.Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring(15).trim());
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    }
                }
                if (!chunked) {
                    in.readNBytes((int) length);
                    return true;
                }
                for (long size; (size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
                    in.readNBytes((int) size);
                    line(in);
                }
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return true;
            }

            private static String line(InputStream in) throws IOException {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                for (int b; (b = in.read()) != '\n'; ) {
                    if (b == -1) {
                        if (line.size() == 0) {
                            return null;
                        }
                        throw new IOException("the connection ended inside a line");
                    }
                    if (b != '\r') {
                        line.write(b);
                    }
                }
                return line.toString(ISO_8859_1);
            }

            /** Waits (at most {@link #PATIENCE}) until the gateway closed {@code count} connections after their FIN. */
            boolean awaitClosedByGateway(int count) {
                try {
                    Awaitility.await(count + " connections closed by the gateway").atMost(PATIENCE).pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(10)).until(() -> closedByGateway.get() >= count);
                    return true;
                } catch (ConditionTimeoutException e) {
                    return false;
                }
            }

            @Override
            public void close() throws IOException {
                server.close();
                synchronized (sockets) {
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
            }
        }

        /**
         * A TCP relay standing for east's gateway address, which the test cuts the way a killed process's
         * connections are cut — FIN, or RST when abrupt — refusing new ones until it listens again on the same
         * port; or which drops the next bytes from west and closes that connection, as a peer that closed an idle
         * connection just as a request went out on it.
         */
        static final class CutProxy implements AutoCloseable {
            final int target;
            final int port;
            volatile ServerSocket server;
            final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
            final AtomicBoolean cutAtNextBytes = new AtomicBoolean();

            CutProxy(int target) throws IOException {
                this.target = target;
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                port = server.getLocalPort();
                accept(server);
            }

            int port() {
                return port;
            }

            /**
             * Relays what {@code listening} accepts until it is closed. A closed ServerSocket can still accept: the
             * thread blocked in accept holds the listener open until the JDK's wake-up signal reaches it, and a dial in
             * that window connects. So a connection accepted once the listener is closed is closed at once, under the
             * lock that {@link #kill} closes the others under, and none outlives a kill.
             */
            private void accept(ServerSocket listening) {
                daemon(() -> {
                    while (!listening.isClosed()) {
                        try {
                            Socket west = listening.accept();
                            synchronized (sockets) {
                                if (listening.isClosed()) {
                                    quietly(west::close);
                                    return;
                                }
                                Socket east = new Socket(InetAddress.getLoopbackAddress(), target);
                                sockets.add(west);
                                sockets.add(east);
                                daemon(() -> pump(west, east, true));
                                daemon(() -> pump(east, west, false));
                            }
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
            }

            private void pump(Socket from, Socket to, boolean fromWest) {
                byte[] buffer = new byte[16 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (fromWest && cutAtNextBytes.compareAndSet(true, false)) {
                            from.close();
                            to.close();
                            return;
                        }
                        to.getOutputStream().write(buffer, 0, n);
                    }
                    to.shutdownOutput();
                } catch (IOException e) {
                    quietly(from::close);
                    quietly(to::close);
                }
            }

            void cutAtNextBytes() {
                cutAtNextBytes.set(true);
            }

            /** Stops listening and cuts every connection: FIN, or RST (SO_LINGER 0) when {@code abrupt}. */
            void kill(boolean abrupt) throws IOException {
                server.close();
                synchronized (sockets) {
                    for (Socket socket : sockets) {
                        if (abrupt) {
                            quietly(() -> socket.setSoLinger(true, 0));
                        }
                        quietly(socket::close);
                    }
                    sockets.clear();
                }
            }

            void restart() throws IOException {
                ServerSocket again = new ServerSocket();
                again.setReuseAddress(true);
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                server = again;
                accept(again);
            }

            @Override
            public void close() throws IOException {
                kill(false);
            }

            interface IoAction {
                void run() throws IOException;
            }

            static void quietly(IoAction action) {
                try {
                    action.run();
                } catch (IOException e) {
                    // already closed
                }
            }

            static void daemon(Runnable task) {
                Thread thread = new Thread(task, "cut-proxy");
                thread.setDaemon(true);
                thread.start();
            }
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
