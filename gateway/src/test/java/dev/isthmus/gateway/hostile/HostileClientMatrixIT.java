package dev.isthmus.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.inbound.HttpSessions;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.EchoServer;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.HostileCertificates;
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
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * Hostile clients against a real gateway on loopback, one {@code @Nested} class per area of issue 10;
 * each case asserts what the client sees on the wire and the metric the gateway counts.
 */
class HostileClientMatrixIT {

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
