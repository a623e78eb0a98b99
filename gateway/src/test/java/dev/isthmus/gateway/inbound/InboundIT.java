package dev.isthmus.gateway.inbound;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.EchoServer;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.testing.MtlsClient.Collector;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.IdentityTrustManager;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inbound gateway with real mTLS on loopback: who gets in, what they may reach, and the metric
 * each refusal counts. HTTP sessions are covered by the http package's tests; here HTTP is refused.
 */
class InboundIT {

    static final String ECHO = "echo.test.svc.cluster.local";
    static final String DOWN = "down.test.svc.cluster.local";
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

    static TestPki pki;
    static EchoServer echo;
    static MtlsClient client;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        echo = new EchoServer();
        client = new MtlsClient();
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // closed again below: connections to it are refused
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        echo.close();
    }

    static RouteTable routes() {
        return new RouteTable("cluster.local", List.of(
                new ExportedService(ECHO, 7, BackendProtocol.OPAQUE, List.of(new Endpoint("127.0.0.1", echo.port(), true))),
                new ExportedService(DOWN, 7, BackendProtocol.OPAQUE, List.of(new Endpoint("127.0.0.1", closedPort, true)))));
    }

    static GatewayHarness gateway(Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
        return new GatewayHarness(pki, routes(), NO_HTTP, settings);
    }

    static GatewayHarness gateway() throws InterruptedException {
        return gateway(b -> {});
    }

    @Test
    void anOpaqueSessionRelaysBytesBothWays() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki,
                    new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
            session.writeAndFlush(Unpooled.copiedBuffer("hello, east", US_ASCII)).sync();

            awaitReceived(session, 11);
            assertThat(new String(Collector.of(session).received(), US_ASCII)).isEqualTo("hello, east");
            session.close().sync();
        }
    }

    /** The gateway file's {@code tls.keyExchange}, through the gateway's config to its listener, with a peer at the default. */
    @Test
    void aGatewaySetToOneKeyExchangeAgreesOnItWithAPeerThatOffersTheDefaultList() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        try (GatewayHarness gateway = gateway(b -> b.keyExchange(KeyExchange.of(List.of("P-384"))))) {
            Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki,
                    new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
            session.writeAndFlush(Unpooled.copiedBuffer("hello, east", US_ASCII)).sync();

            awaitReceived(session, 11);
            ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) session.pipeline().get(SslHandler.class).engine();
            assertThat(SSL.getGroupName(engine.sslPointer())).isEqualTo("P-384");
            session.close().sync();
        }
    }

    @Test
    void rotatingTheCertificateKeepsOpenStreamsAndNewConnectionsGetTheNewOne() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel longStream = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki,
                    new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
            java.math.BigInteger before = servedSerial(longStream);
            longStream.writeAndFlush(Unpooled.copiedBuffer("before,", US_ASCII)).sync();
            awaitReceived(longStream, 7);

            CertifiedKey rotated = pki.leaf(TestPki.GATEWAY);
            gateway.gateway().tls().update(rotated, pki.anchors());

            longStream.writeAndFlush(Unpooled.copiedBuffer("after", US_ASCII)).sync();
            awaitReceived(longStream, 12);
            assertThat(new String(Collector.of(longStream).received(), US_ASCII)).isEqualTo("before,after");
            assertThat(longStream.isActive()).isTrue();

            Channel fresh = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            assertThat(servedSerial(fresh)).isEqualTo(rotated.leaf().getSerialNumber()).isNotEqualTo(before);
            fresh.close().sync();
            longStream.close().sync();
        }
    }

    @Test
    void aSessionThatKeepsMovingOutlivesTheIdleTimeoutAndIsClosedOnceItGoesQuiet() throws Exception {
        try (GatewayHarness gateway = gateway(b -> b.idleTimeout(Duration.ofSeconds(1)))) {
            Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki,
                    new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
            for (int i = 1; i <= 8; i++) { // 2.4 s of an echo every 300 ms: over twice the idle timeout
                session.writeAndFlush(Unpooled.copiedBuffer("x", US_ASCII)).sync();
                awaitReceived(session, i);
                Thread.sleep(300);
                assertThat(session.isActive()).as("open after %d echoes", i).isTrue();
            }

            assertThat(Collector.awaitClose(session, 10)).as("closed once nothing moved for the idle timeout").isTrue();
        }
    }

    @Test
    void aConnectionThatSendsNothingAfterItsHandshakeIsClosedAtTheIdleTimeout() throws Exception {
        try (GatewayHarness gateway = gateway(b -> b.idleTimeout(Duration.ofSeconds(1)).headerTimeout(Duration.ofMinutes(1)))) {
            Channel quiet = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());

            assertThat(Collector.awaitClose(quiet, 10)).isTrue();
        }
    }

    private static java.math.BigInteger servedSerial(Channel channel) throws Exception {
        return ((java.security.cert.X509Certificate) channel.pipeline().get(SslHandler.class).engine().getSession()
                .getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void aHalfCloseReachesTheBackendAndItsAnswerComesBack() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki,
                    new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
            session.writeAndFlush(Unpooled.copiedBuffer("last words", US_ASCII)).sync();
            ((DuplexChannel) session).shutdownOutput().sync(); // TCP FIN: we are done sending, still listening

            assertThat(Collector.awaitClose(session, 10)).as("the gateway ends its side once the backend did").isTrue();
            assertThat(new String(Collector.of(session).received(), US_ASCII)).isEqualTo("last words");
        }
    }

    @Test
    void aCloseNotifyEndsTheSession() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki,
                    new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE));
            session.pipeline().get(SslHandler.class).closeOutbound();
            assertThat(Collector.awaitClose(session, 10)).isTrue();
        }
    }

    @Test
    void plaintextOnTheTlsPortIsClosed() throws Exception {
        try (GatewayHarness gateway = gateway(); Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
            assertThat(readToEnd(socket.getInputStream())).doesNotContain("HTTP/1.1");
            assertThat(gateway.awaitCount(1, "isthmus.gateway.handshake.failures", "reason", "not_tls")).isEqualTo(1);
        }
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            var context = SslContextBuilder.forClient().protocols("TLSv1.3").endpointIdentificationAlgorithm(null)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                            SelectedListenerFailureBehavior.ACCEPT, TlsContexts.ALPN_TRANSPORT))
                    .trustManager(IdentityTrustManager.exactly(pki.anchors(), TestPki.GATEWAY, Clock.systemUTC())).build();
            assertRefused(gateway, context);
            assertThat(gateway.awaitCount(1, "isthmus.gateway.handshake.failures", "reason", "no_client_certificate"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aCertificateFromAnotherAnchorIsRefused() throws Exception {
        TestPki stranger = TestPki.create();
        try (GatewayHarness gateway = gateway()) {
            assertHandshakeRefused(gateway, stranger.leaf(TestPki.PEER));
            assertThat(gateway.awaitCount(1, "isthmus.gateway.handshake.failures", "reason", "untrusted_certificate"))
                    .isEqualTo(1);
        }
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            assertHandshakeRefused(gateway, pki.expiredLeaf(TestPki.PEER));
            assertThat(gateway.awaitCount(1, "isthmus.gateway.handshake.failures", "reason", "expired_certificate"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aTls12OnlyClientIsRefused() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            var credentials = pki.leaf(TestPki.PEER);
            var context = SslContextBuilder.forClient().protocols("TLSv1.2").endpointIdentificationAlgorithm(null)
                    .keyManager(credentials.key(), credentials.chain().toArray(new java.security.cert.X509Certificate[0]))
                    .trustManager(IdentityTrustManager.exactly(pki.anchors(), TestPki.GATEWAY, Clock.systemUTC())).build();
            assertRefused(gateway, context);
            assertThat(gateway.awaitCount(1, "isthmus.gateway.handshake.failures", "reason", "protocol_version"))
                    .isEqualTo(1);
        }
    }

    @Test
    void anIdentityOutsideThePolicyIsRefused() throws Exception {
        SpiffeId onlyThis = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/somebody-else");
        // A backend of this test's own: the shared echo may still be taking another test's connections.
        try (EchoServer backend = new EchoServer();
                GatewayHarness gateway = new GatewayHarness(pki, new RouteTable("cluster.local", List.of(new ExportedService(ECHO, 7,
                        BackendProtocol.OPAQUE, List.of(new Endpoint("127.0.0.1", backend.port(), true))))), NO_HTTP,
                        b -> b.policy(new AuthorizationPolicy("cluster.local", Set.of(onlyThis), Set.of(), Set.of())))) {
            Channel session = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            // The gateway may refuse before the header is even written: the write may fail, the close may not.
            session.writeAndFlush(new TransportHeader(ECHO, 7, SessionProtocol.OPAQUE).encode(session.alloc()));
            assertThat(Collector.awaitClose(session, 10)).isTrue();
            assertThat(Collector.of(session).received()).isEmpty();
            assertThat(gateway.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", "unauthorized")).isEqualTo(1);
            assertThat(backend.connections()).as("nothing reached the backend").isZero();
        }
    }

    @Test
    void anUnexportedTargetIsClosed() throws Exception {
        assertSessionRefused(new TransportHeader("secret.test.svc.cluster.local", 7, SessionProtocol.OPAQUE), "not_exported");
        assertSessionRefused(new TransportHeader(ECHO, 8, SessionProtocol.OPAQUE), "not_exported");
    }

    @Test
    void aNameOutsideTheClusterDomainIsClosed() throws Exception {
        assertSessionRefused(new TransportHeader("echo.test.svc.other.domain", 7, SessionProtocol.OPAQUE), "outside_domain");
        assertSessionRefused(new TransportHeader("example.com", 443, SessionProtocol.OPAQUE), "outside_domain");
    }

    @Test
    void aBackendThatIsDownClosesTheSession() throws Exception {
        assertSessionRefused(new TransportHeader(DOWN, 7, SessionProtocol.OPAQUE), "backend_unavailable");
    }

    @Test
    void aMalformedHeaderIsClosed() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel session = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            session.writeAndFlush(Unpooled.copiedBuffer("transport.l5d.io/v2\r\n\r\n", US_ASCII)).sync();
            assertThat(Collector.awaitClose(session, 10)).isTrue();
            assertThat(gateway.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", "bad_header")).isEqualTo(1);
        }
    }

    @Test
    void anOversizedHeaderIsClosedBeforeItIsRead() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel session = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            session.writeAndFlush(Unpooled.buffer().writeBytes(TransportHeader.PREFACE_TEXT.getBytes(US_ASCII))
                    .writeInt(64 * 1024 * 1024)).sync();
            assertThat(Collector.awaitClose(session, 10)).isTrue();
            assertThat(gateway.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", "bad_header")).isEqualTo(1);
        }
    }

    @Test
    void aHandshakeThatNeverCompletesTimesOut() throws Exception {
        try (GatewayHarness gateway = gateway(b -> b.handshakeTimeout(Duration.ofMillis(300)));
                Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            assertThat(socket.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
            assertThat(gateway.awaitCount(1, "isthmus.gateway.handshake.failures", "reason", "timeout")).isEqualTo(1);
        }
    }

    @Test
    void aPeerThatSendsNoHeaderIsClosed() throws Exception {
        try (GatewayHarness gateway = gateway(b -> b.headerTimeout(Duration.ofMillis(300)))) {
            Channel session = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            assertThat(Collector.awaitClose(session, 10)).isTrue();
            assertThat(gateway.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", "no_header")).isEqualTo(1);
        }
    }

    @Test
    void aDrainClosesConnectionsThatHaveNotSentTheirHeaderYet() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel waiting = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            // A deadline far beyond the test's patience: drain returns within that patience only if the
            // connection closed on the drain event itself, not because the deadline passed and forced it.
            CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> gateway.gateway().drain(Duration.ofMinutes(10)));
            assertThat(Collector.awaitClose(waiting, 10)).isTrue();
            assertThat(drained).as("drain finished without waiting for its deadline").succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnce() throws Exception {
        try (GatewayHarness gateway = gateway(b -> b.maxConnections(1))) {
            Channel first = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
            try (Socket second = new Socket("127.0.0.1", gateway.port())) {
                second.setSoTimeout(10_000);
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(gateway.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", "connection_limit")).isEqualTo(1);
            assertThat(first.isActive()).isTrue();
            first.close().sync();
        }
    }

    @Test
    void theAdminListenerServesLivenessReadinessAndMetrics() throws Exception {
        try (GatewayHarness gateway = gateway()) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + gateway.adminPort();
            assertThat(get(http, base + "/live").statusCode()).isEqualTo(200);
            assertThat(get(http, base + "/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(http, base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("isthmus_gateway_connections_open", "isthmus_gateway_handshake_failures_total",
                    "isthmus_gateway_certificate_expiry_seconds", "isthmus_gateway_routes 2.0");
            assertThat(get(http, base + "/nope").statusCode()).isEqualTo(404);
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertSessionRefused(TransportHeader header, String reason) throws Exception {
        try (GatewayHarness gateway = gateway()) {
            Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki, header);
            assertThat(Collector.awaitClose(session, 10)).isTrue();
            assertThat(Collector.of(session).received()).isEmpty();
            assertThat(gateway.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", reason)).isEqualTo(1);
        }
    }

    /**
     * In TLS 1.3 the client may finish its side before the server has judged the client's certificate:
     * the refusal then shows as a close right after the handshake instead of a failed handshake.
     */
    private static void assertHandshakeRefused(GatewayHarness gateway, CertifiedKey credentials) throws Exception {
        Channel channel;
        try {
            channel = client.connect(gateway.port(), credentials, pki, new Collector());
        } catch (javax.net.ssl.SSLException | io.netty.handler.codec.DecoderException
                | java.nio.channels.ClosedChannelException e) {
            return;
        }
        assertThat(Collector.awaitClose(channel, 10)).isTrue();
    }

    private static void assertRefused(GatewayHarness gateway, io.netty.handler.ssl.SslContext context) throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            Channel channel = new io.netty.bootstrap.Bootstrap().group(group).channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                    .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(context.newHandler(ch.alloc(), "gateway", gateway.port()), new Collector());
                        }
                    }).connect(new InetSocketAddress("127.0.0.1", gateway.port())).sync().channel();
            assertThat(Collector.awaitClose(channel, 10)).isTrue();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void awaitReceived(Channel session, int bytes) throws InterruptedException {
        Awaitility.await(bytes + " bytes received").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5)).until(() -> Collector.of(session).received().length >= bytes);
    }

    private static String readToEnd(InputStream in) {
        try {
            return new String(in.readAllBytes(), US_ASCII);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
