package dev.isthmus.gateway.peer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one connector to peer gateways, against real sockets on loopback: what it sends, in which order, and how
 * each way of failing is classified (the reasons outbound counts by link and the probe reports).
 */
class PeerGatewayConnectorIT {

    private static final TransportHeader HEADER = new TransportHeader("podinfo.test.svc.cluster.local", 9898, SessionProtocol.OPAQUE);
    private static final SpiffeId SOMEONE_ELSE = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-east");

    static TestPki pki;
    static EventLoopGroup loops;
    static PeerGatewayConnector connector;

    @BeforeAll
    static void start() {
        pki = TestPki.create();
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        connector = connector(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static PeerGatewayConnector connector(Duration handshakeTimeout) {
        return new PeerGatewayConnector(ClientContexts.current(() -> pki.leaf(TestPki.PEER), pki::anchors, TlsProviders.preferred(),
                Clock.systemUTC()), Duration.ofSeconds(3), handshakeTimeout);
    }

    static EventLoop loop() {
        return loops.next();
    }

    /** A gateway's TLS side on loopback, with {@code identity}'s certificate: everything it decrypts goes to {@code received}. */
    static Channel tlsServer(SpiffeId identity, ByteArrayOutputStream received, CompletableFuture<Void> closed) throws Exception {
        SslContext tls = TlsContexts.server(pki.leaf(identity), pki.anchors(), TlsProviders.preferred(), Clock.systemUTC());
        return server(channel -> channel.pipeline().addLast(tls.newHandler(channel.alloc()), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    synchronized (received) {
                        received.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                closed.complete(null);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }));
    }

    static Channel server(Consumer<Channel> pipeline) throws InterruptedException {
        return new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        pipeline.accept(channel);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    static Endpoint at(Channel server) {
        return new Endpoint("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort(), true);
    }

    static PeerConnectException failure(Future<Channel> connected) {
        connected.awaitUninterruptibly(15, TimeUnit.SECONDS);
        assertThat(connected.isDone()).as("the dial ended").isTrue();
        assertThat(connected.cause()).isInstanceOf(PeerConnectException.class);
        return (PeerConnectException) connected.cause();
    }

    /** Writes "session" when it becomes active, as an HTTP/2 codec writes its preface. */
    static final class Session extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("session", US_ASCII));
            ctx.fireChannelActive();
        }
    }

    @Test
    void theHeaderGoesFirstThenTheSessionTakesTheHeaderWritersPlace() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Channel server = tlsServer(TestPki.GATEWAY, received, closed);
        try {
            Session session = new Session();
            Future<Channel> connected = connector.connect(loop(), at(server), TestPki.GATEWAY, HEADER, session);
            Channel channel = connected.syncUninterruptibly().getNow();

            assertThat(channel.pipeline().names()).startsWith(PeerGatewayConnector.TLS).contains(PipelineTail.NAME)
                    .doesNotContain(PeerGatewayConnector.HEADER);
            assertThat(channel.pipeline().last()).isInstanceOf(PipelineTail.class);
            assertThat(channel.pipeline().get(Session.class)).isSameAs(session);
            ByteBuf header = HEADER.encode(channel.alloc());
            byte[] expected;
            try {
                expected = (ByteBufUtil.hexDump(header) + ByteBufUtil.hexDump("session".getBytes(US_ASCII))).getBytes(US_ASCII);
            } finally {
                header.release();
            }
            org.awaitility.Awaitility.await("the header and the session's bytes arrive").atMost(Duration.ofSeconds(10))
                    .until(() -> {
                        synchronized (received) {
                            return received.size() >= expected.length / 2;
                        }
                    });
            synchronized (received) {
                assertThat(ByteBufUtil.hexDump(received.toByteArray()).getBytes(US_ASCII)).isEqualTo(expected);
            }
            channel.close().syncUninterruptibly();
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void aPeerWithAnotherIdentityFromTheSameAnchorIsAWrongIdentity() throws Exception {
        Channel server = tlsServer(TestPki.GATEWAY, new ByteArrayOutputStream(), new CompletableFuture<>());
        try {
            PeerConnectException failure = failure(connector.connect(loop(), at(server), SOMEONE_ELSE, HEADER, new Session()));

            assertThat(failure.reason()).isEqualTo("wrong_identity");
            assertThat(failure.detail()).startsWith("is not who the link says: ")
                    .contains("peer identity " + TestPki.GATEWAY + " is not accepted (expected: " + SOMEONE_ELSE + ")");
            assertThat(failure.getMessage()).isEqualTo("remote gateway " + at(server) + " " + failure.detail());
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        // Bound but not listening: refused, and the port cannot become our own connection's ephemeral port (a
        // loopback connect to a free port in that range may connect to itself).
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Endpoint gone = new Endpoint("127.0.0.1", bound.getLocalPort(), true);

            PeerConnectException failure = failure(connector.connect(loop(), gone, TestPki.GATEWAY, HEADER, new Session()));

            assertThat(failure.reason()).as(String.valueOf(failure.getCause())).isEqualTo("refused");
            assertThat(failure.getMessage()).isEqualTo("remote gateway " + gone + " refused the connection");
        }
    }

    @Test
    void plaintextWhereAGatewayShouldBeIsAHandshakeFailureOfItsKind() throws Exception {
        Channel server = server(channel -> channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", US_ASCII));
            }
        }));
        try {
            PeerConnectException failure = failure(connector.connect(loop(), at(server), TestPki.GATEWAY, HEADER, new Session()));

            assertThat(failure.reason()).isEqualTo("handshake_not_tls");
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void aPeerThatRefusesTheHandshakeIsCountedAsARefusalNotAsOther() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        // East accepts X25519 only, west offers P-384 only: east finds no group in common and sends handshake_failure.
        SslContext east = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), SslProvider.OPENSSL,
                KeyExchange.of(List.of("X25519")), Clock.systemUTC());
        PeerGatewayConnector west = new PeerGatewayConnector(ClientContexts.current(() -> pki.leaf(TestPki.PEER), pki::anchors,
                SslProvider.OPENSSL, KeyExchange.of(List.of("P-384")), Clock.systemUTC()), Duration.ofSeconds(3), Duration.ofSeconds(10));
        Channel server = server(channel -> channel.pipeline().addLast(east.newHandler(channel.alloc()), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }));
        try {
            PeerConnectException failure = failure(west.connect(loop(), at(server), TestPki.GATEWAY, HEADER, new Session()));

            assertThat(failure.reason()).as(String.valueOf(failure.getCause())).isEqualTo("handshake_peer_refused");
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void aPeerThatNeverSpeaksTlsTimesTheHandshakeOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Endpoint gateway = new Endpoint("127.0.0.1", silent.getLocalPort(), true);

            PeerConnectException failure = failure(connector(Duration.ofMillis(100)).connect(loop(), gateway, TestPki.GATEWAY, HEADER,
                    new Session()));

            assertThat(failure.reason()).isEqualTo("handshake_timeout");
        }
    }

    @Test
    void aPeerThatHangsUpMidHandshakeFailsTheDialAtOnceNotAtTheHandshakeTimeout() throws Exception {
        Channel server = server(channel -> channel.close()); // as a gateway at its connection limit does
        try {
            PeerConnectException failure = failure(connector(Duration.ofSeconds(30)).connect(loop(), at(server), TestPki.GATEWAY,
                    HEADER, new Session()));

            assertThat(failure.reason()).as(String.valueOf(failure.getCause())).isEqualTo("closed");
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void withoutCredentialsNothingIsDialed() throws Exception {
        PeerGatewayConnector unready = new PeerGatewayConnector(peer -> {
            throw new SSLException("this gateway has no certificate and trust anchors yet");
        }, Duration.ofSeconds(3), Duration.ofSeconds(10));
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Endpoint gateway = new Endpoint("127.0.0.1", listener.getLocalPort(), true);

            PeerConnectException failure = failure(unready.connect(loop(), gateway, TestPki.GATEWAY, HEADER, new Session()));

            assertThat(failure.reason()).isEqualTo("no_credentials");
            assertThat(failure.detail()).contains("no certificate and trust anchors yet");
        }
    }

    @Test
    void cancellingADialClosesItsConnection() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Endpoint gateway = new Endpoint("127.0.0.1", silent.getLocalPort(), true);
            Future<Channel> connected = connector.connect(loop(), gateway, TestPki.GATEWAY, HEADER, new Session());
            silent.setSoTimeout(10_000);
            try (Socket accepted = silent.accept(); InputStream in = accepted.getInputStream()) {
                accepted.setSoTimeout(10_000); // a connection left open fails the read below rather than hanging
                connected.cancel(false);

                // The ClientHello may come first; then the end of the stream, as the connector closed it.
                byte[] buffer = new byte[4096];
                while (in.read(buffer) >= 0) {
                    // drain what the client sent before it closed
                }
            }
            assertThat(connected.isCancelled()).isTrue();
        }
    }

    @Test
    void everyFailureIsClassifiedOnceForEveryCaller() {
        Endpoint gateway = new Endpoint("192.0.2.1", 4143, true);

        assertThat(PeerConnectException.of(gateway, new io.netty.channel.ConnectTimeoutException("connection timed out"), 3000))
                .satisfies(e -> assertThat(e.reason()).isEqualTo("timeout"))
                .hasMessage("remote gateway 192.0.2.1:4143 did not accept a connection within 3000 ms");
        assertThat(PeerConnectException.of(gateway, new java.net.ConnectException("Connection refused"), 3000).reason())
                .isEqualTo("refused");
        assertThat(PeerConnectException.of(gateway, new java.nio.channels.ClosedChannelException(), 3000).reason())
                .isEqualTo("closed");
        assertThat(PeerConnectException.of(gateway, new io.netty.handler.ssl.SslHandshakeTimeoutException("handshake timed out"),
                3000).reason()).isEqualTo("handshake_timeout");
    }
}
