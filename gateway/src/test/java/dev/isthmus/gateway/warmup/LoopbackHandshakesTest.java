package dev.isthmus.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The warm-up's new connections against a TLS server on loopback: how many, what each sends, and how the loop ends. */
class LoopbackHandshakesTest {

    private static final TransportHeader HEADER = new TransportHeader("backend.isthmus-warmup.svc.cluster.local", 8080,
            SessionProtocol.HTTP2);
    private static final SpiffeId SOMEONE_ELSE = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-east");

    private static TestPki pki;
    private static EventLoopGroup loops;
    private static PeerGatewayConnector connector;

    @BeforeAll
    static void start() {
        pki = TestPki.create();
        loops = IoTransport.preferred().newGroup(1);
        connector = new PeerGatewayConnector(ClientContexts.current(() -> pki.leaf(TestPki.PEER), pki::anchors,
                TlsProviders.preferred(), Clock.systemUTC()), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void makesItsConnectionsOneAfterAnotherEachSendingTheHeaderThenEnds() throws Exception {
        Server server = new Server();
        try (LoopbackHandshakes handshakes = new LoopbackHandshakes(connector, loops.next(), server.endpoint(), TestPki.GATEWAY,
                HEADER, 5)) {
            assertThat(handshakes.await(20, TimeUnit.SECONDS)).isTrue();

            assertThat(handshakes.made()).isEqualTo(5);
            assertThat(handshakes.failed()).isZero();
            assertThat(server.awaitClosed(5)).as("every connection closed by the client").isTrue();
            assertThat(server.handshakes.get()).isEqualTo(5);
            // Each wrote the transport header (its length prefix and name included) before it closed.
            assertThat(server.headerBytes.get()).isEqualTo(5 * headerLength());
        } finally {
            server.close();
        }
    }

    @Test
    void aPeerThatIsNotTheExpectedGatewayEndsTheLoopAfterOneConnection() throws Exception {
        Server server = new Server();
        try (LoopbackHandshakes handshakes = new LoopbackHandshakes(connector, loops.next(), server.endpoint(), SOMEONE_ELSE,
                HEADER, 1_000)) {
            assertThat(handshakes.await(20, TimeUnit.SECONDS)).isTrue();

            assertThat(handshakes.made()).isZero();
            assertThat(handshakes.failed()).isEqualTo(1);
            assertThat(server.accepted.get()).as("not dialed again").isEqualTo(1);
        } finally {
            server.close();
        }
    }

    @Test
    void closeStopsTheLoopAndLeavesNoConnectionOpen() throws Exception {
        Server server = new Server();
        try {
            LoopbackHandshakes handshakes = new LoopbackHandshakes(connector, loops.next(), server.endpoint(), TestPki.GATEWAY,
                    HEADER, Long.MAX_VALUE);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (handshakes.made() < 3 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            handshakes.close();

            assertThat(handshakes.await(0, TimeUnit.SECONDS)).isTrue();
            long made = handshakes.made();
            assertThat(made).isGreaterThanOrEqualTo(3);
            assertThat(server.awaitClosed(5)).isTrue();
            Thread.sleep(200);
            assertThat(handshakes.made()).as("none after close").isEqualTo(made);
            // The dial in flight when close() came may have been accepted before it was cancelled; none came after it.
            assertThat(server.accepted.get()).isBetween((int) made, (int) made + 1);
        } finally {
            server.close();
        }
    }

    @Test
    void closeCancelsADialStuckInItsHandshakeWithoutCountingItAsFailed() throws Exception {
        // A listener that accepts and never answers: the handshake would wait for the connector's 10 s timeout.
        Channel silent = new ServerBootstrap().group(loops).channel(IoTransport.of(loops).serverChannel())
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind("127.0.0.1", 0).sync().channel();
        try {
            LoopbackHandshakes handshakes = new LoopbackHandshakes(connector, loops.next(),
                    new Endpoint("127.0.0.1", ((InetSocketAddress) silent.localAddress()).getPort(), true), TestPki.GATEWAY, HEADER, 5);
            Thread.sleep(200);
            long start = System.nanoTime();
            handshakes.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(handshakes.made()).isZero();
            assertThat(handshakes.failed()).isZero();
        } finally {
            silent.close().syncUninterruptibly();
        }
    }

    @Test
    void refusesACountBelowOne() {
        assertThatThrownBy(() -> new LoopbackHandshakes(connector, loops.next(), new Endpoint("127.0.0.1", 1, true), TestPki.GATEWAY,
                HEADER, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("handshakes: 0 (expected: at least 1)");
    }

    private static int headerLength() {
        ByteBuf header = HEADER.encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            return header.readableBytes();
        } finally {
            header.release();
        }
    }

    /** A TLS server with the gateway's identity that counts connections, finished handshakes and bytes received. */
    private static final class Server {
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger handshakes = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger headerBytes = new AtomicInteger();
        private final Channel listener;

        Server() throws Exception {
            SslContext tls = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), TlsProviders.preferred(), Clock.systemUTC());
            listener = new ServerBootstrap().group(loops).channel(IoTransport.of(loops).serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            accepted.incrementAndGet();
                            open.incrementAndGet();
                            channel.closeFuture().addListener(f -> open.decrementAndGet());
                            SslHandler handler = tls.newHandler(channel.alloc());
                            handler.handshakeFuture().addListener(f -> {
                                if (f.isSuccess()) {
                                    handshakes.incrementAndGet();
                                }
                            });
                            channel.pipeline().addLast(handler, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    headerBytes.addAndGet(((ByteBuf) msg).readableBytes());
                                    ReferenceCountUtil.release(msg);
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close(); // a refused or cut handshake: the client's side is what is tested
                                }
                            });
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
        }

        Endpoint endpoint() {
            return new Endpoint("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort(), true);
        }

        boolean awaitClosed(long seconds) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (open.get() > 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            return open.get() == 0;
        }

        void close() {
            listener.close().syncUninterruptibly();
        }
    }
}
