package dev.isthmus.gateway.hostile;

import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.ECHO;
import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.H1;
import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.receivedUntilClose;
import static dev.isthmus.gateway.hostile.LoopbackGatewayPair.write;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.hostile.LoopbackGatewayPair.RawClient;
import dev.isthmus.gateway.hostile.LoopbackGatewayPair.Side;
import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.inbound.HttpSessions;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.EchoServer;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.HostileCertificates;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.testing.TestPki;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
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
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
            "an invalid HTTP/2 preface | PRI * HTTP/2.0\\r\\n\\r\\nXX\\r\\n\\r\\n | 505 HTTP Version Not Supported",
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
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (collected(session).length() < 4 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
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
        static final Function<Gateway, HttpSessions> NO_HTTP = g -> new HttpSessions() {
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
            pki = new TestPki();
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
                Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(context.newHandler(ch.alloc(), TestPki.GATEWAY.dnsName(), port));
                            }
                        }).connect("127.0.0.1", port).sync().channel();
                SslHandler tls = channel.pipeline().get(SslHandler.class);
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
}
