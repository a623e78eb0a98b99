package dev.isthmus.gateway.testing;

import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A gateway peer for tests: connects over mTLS with a given certificate, checks the gateway's
 * identity, and writes the transport header. Handlers added after TLS see the plaintext session.
 */
public final class MtlsClient implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /** Connects and completes the handshake; throws if the handshake fails. */
    public Channel connect(int port, CertifiedKey credentials, TestPki pki, ChannelHandler... after) throws Exception {
        SslContext context = TlsContexts.client(credentials, pki.anchors(), TestPki.GATEWAY, TlsProviders.preferred(),
                Clock.systemUTC());
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("tls", context.newHandler(ch.alloc(), "gateway", port));
                        ch.pipeline().addLast(after);
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        channel.pipeline().get(SslHandler.class).handshakeFuture().sync();
        return channel;
    }

    /** Connects, writes the header, and returns the channel with a {@link Collector} as its last handler. */
    public Channel session(int port, CertifiedKey credentials, TestPki pki, TransportHeader header) throws Exception {
        Channel channel = connect(port, credentials, pki, new Collector());
        channel.writeAndFlush(header.encode(channel.alloc())).sync();
        return channel;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Collects what the session sends back; {@link #await} waits for the connection to close. */
    public static final class Collector extends SimpleChannelInboundHandler<ByteBuf> {
        private static final AttributeKey<Collector> KEY = AttributeKey.valueOf("test.collector");
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            byte[] bytes = new byte[msg.readableBytes()];
            msg.readBytes(bytes);
            synchronized (received) {
                received.writeBytes(bytes);
            }
        }

        public byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        /** The collector of a channel, also after it closed (when its pipeline is empty). */
        public static Collector of(Channel channel) {
            return channel.attr(KEY).get();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().attr(KEY).set(this);
        }

        /** Waits until the channel closes, bounded. */
        public static boolean awaitClose(Channel channel, long seconds) throws InterruptedException {
            return channel.closeFuture().await(seconds, TimeUnit.SECONDS);
        }

        /** The gateway ended its side (FIN or close_notify): nothing more will come, so close ours. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
