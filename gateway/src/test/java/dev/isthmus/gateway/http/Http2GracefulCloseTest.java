package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.inbound.InboundPipeline;
import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.pipeline.Drain;
import dev.isthmus.gateway.pipeline.PeerAttributes;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.TlsRecords;
import dev.isthmus.gateway.tls.ServerTls;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How an inbound HTTP/2 session over real TLS ends, between two {@link EmbeddedChannel}s: the gateway's side as
 * {@link HttpSessionInstaller} builds it behind a server {@link SslHandler}, a peer that speaks raw frames through its
 * own. A peer that sends close_notify gets the gateway's close_notify back and nothing after it; a gateway that
 * drains an open connection still says GOAWAY.
 *
 * <p>Between TLS and the session sits a handler that watches every write on its way to TLS: one that fails, or that
 * comes after TLS closed its output, is what the gateway should not have attempted (with BoringSSL each such write
 * cost an SslClosedEngineException with its stack trace, on every connection a peer closed). Another, in front of
 * TLS, watches for writes to the socket after the channel closed (each cost a failed promise and its exception).
 */
class Http2GracefulCloseTest {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
    static final int SETTINGS = 4, GOAWAY = 7;

    private static final TestPki pki = TestPki.create();

    private final HttpSessionInstaller installer = new HttpSessionInstaller(new Upstreams(new LoadBalancer(), Duration.ofSeconds(1)),
            new GatewayMetrics(new SimpleMeterRegistry()), SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"),
            GatewayId.random(), Duration.ofSeconds(30), Duration.ofSeconds(10), () -> RouteTable.EMPTY);
    private final List<String> wrongWrites = new ArrayList<>();
    private EmbeddedChannel gateway;
    private EmbeddedChannel peer;
    private SslHandler gatewayTls;
    private SslHandler peerTls;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
            gateway.advanceTimeBy(HttpSessionInstaller.GRACEFUL_CLOSE.toMillis() + 1, TimeUnit.MILLISECONDS);
            gateway.runPendingTasks();
            gateway.finishAndReleaseAll();
        }
        if (peer != null) {
            peer.finishAndReleaseAll();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aPeerThatSendsCloseNotifyGetsOnlyTheGatewaysCloseNotifyBack(SslProvider provider) throws Exception {
        openSession(provider);

        peerTls.closeOutbound();
        List<Integer> frames = shuttle();

        assertThat(peerTls.sslCloseFuture().isSuccess()).as("the gateway's close_notify reached the peer").isTrue();
        if (provider == SslProvider.JDK) {
            // The JDK's engine keeps its output open after a TLS 1.3 close_notify: the gateway can still say GOAWAY.
            assertThat(frames).as("frame types the peer received").contains(GOAWAY);
        }
        assertThat(gateway.isOpen()).isFalse();
        gateway.runPendingTasks();
        gateway.close(); // the pipeline's handlers leave, and flush what they held on their way out
        assertThat(wrongWrites).as("writes the gateway attempted after TLS closed its output, or that failed").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aDrainingGatewayStillSaysGoAwayOnAnOpenConnection(SslProvider provider) throws Exception {
        openSession(provider);

        gateway.pipeline().fireUserEventTriggered(Drain.EVENT);
        List<Integer> frames = shuttle();

        assertThat(frames).as("frame types the peer received").contains(GOAWAY);
        assertThat(wrongWrites).isEmpty();
    }

    /** Handshake, transport header already routed, the peer's preface and SETTINGS, the gateway's SETTINGS back. */
    private void openSession(SslProvider provider) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "netty-tcnative is not available");
        ServerTls server = new ServerTls(provider, Duration.ofSeconds(10), Clock.systemUTC());
        server.update(pki.leaf(TestPki.GATEWAY), pki.anchors());
        gatewayTls = server.newHandler(ByteBufAllocator.DEFAULT);
        peerTls = TlsContexts.client(pki.leaf(TestPki.PEER), pki.anchors(), TestPki.GATEWAY, provider, Clock.systemUTC())
                .newHandler(ByteBufAllocator.DEFAULT);
        gateway = new EmbeddedChannel();
        gateway.pipeline().addLast("socket-watch", new SocketWatch());
        gateway.pipeline().addLast(InboundPipeline.TLS, gatewayTls);
        gateway.pipeline().addLast("watch", new WriteWatch());
        gateway.pipeline().addLast(InboundPipeline.SESSION, new ChannelInboundHandlerAdapter());
        peer = new EmbeddedChannel(peerTls);
        shuttle();
        assertThat(gatewayTls.handshakeFuture().isSuccess()).as("handshake: %s", gatewayTls.handshakeFuture().cause()).isTrue();

        SpiffeId peerId = TestPki.PEER;
        gateway.attr(PeerAttributes.PEER).set(peerId);
        ExportedService service = new ExportedService("web.shop.svc.cluster.local", 80, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", 8080, true)));
        installer.proxy(gateway.pipeline().context(InboundPipeline.SESSION), new TransportHeader(service.name(), service.port(),
                SessionProtocol.HTTP2), service, peerId);
        ByteBuf start = Unpooled.buffer();
        start.writeBytes(PREFACE).writeMedium(0).writeByte(SETTINGS).writeByte(0).writeInt(0);
        peer.writeAndFlush(start);
        assertThat(shuttle()).as("frame types the peer received").contains(SETTINGS);
    }

    /** Moves TLS records both ways until neither side has more; returns the types of the HTTP/2 frames the peer read. */
    private List<Integer> shuttle() {
        ByteBuf plaintext = Unpooled.buffer();
        try {
            for (int round = 0; round < 20; round++) {
                boolean moved = TlsRecords.exchange(peer, gateway);
                gateway.runPendingTasks();
                peer.runPendingTasks();
                for (Object read; (read = peer.readInbound()) != null; ) {
                    plaintext.writeBytes((ByteBuf) read);
                    ((ByteBuf) read).release();
                }
                if (!moved) {
                    break;
                }
            }
            List<Integer> types = new ArrayList<>();
            while (plaintext.readableBytes() >= 9) {
                int length = plaintext.readUnsignedMedium();
                types.add((int) plaintext.readUnsignedByte());
                plaintext.skipBytes(Math.min(plaintext.readableBytes(), 5 + length));
            }
            return types;
        } finally {
            plaintext.release();
        }
    }

    /** Notes each write that reaches the socket after the channel closed. */
    private final class SocketWatch extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!ctx.channel().isOpen()) {
                wrongWrites.add(msg.getClass().getSimpleName() + " of " + ((ByteBuf) msg).readableBytes()
                        + " bytes to the socket after the channel closed");
            }
            ctx.write(msg, promise);
        }
    }

    /** Notes each write that reaches TLS after its output closed, and each that fails. */
    private final class WriteWatch extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            String what = msg.getClass().getSimpleName() + " of " + ((ByteBuf) msg).readableBytes() + " bytes";
            if (gatewayTls.engine().isOutboundDone()) {
                wrongWrites.add(what + " after TLS closed its output");
            }
            ChannelPromise watched = promise.unvoid();
            watched.addListener(f -> {
                if (!f.isSuccess()) {
                    wrongWrites.add(what + " failed: " + f.cause());
                }
            });
            ctx.write(msg, watched);
        }
    }
}
