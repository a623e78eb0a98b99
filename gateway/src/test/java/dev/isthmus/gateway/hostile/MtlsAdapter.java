package dev.isthmus.gateway.hostile;

import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Lets a plain client that knows nothing of the gateway protocol (h2spec) speak straight into east's
 * session: a plaintext listener on 127.0.0.1 whose every connection is dialled on to east over mTLS
 * with a peer's certificate, opened with a transport header, and then relayed byte for byte both
 * ways. Either side closing, or ending its input, closes both.
 */
final class MtlsAdapter implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    MtlsAdapter(int eastPort, CertifiedKey credentials, TestPki pki, TransportHeader header) throws Exception {
        SslContext tls = TlsContexts.client(credentials, pki.anchors(), TestPki.GATEWAY, TlsProviders.preferred(), Clock.systemUTC());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel front) {
                        front.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                dial(front, eastPort, tls, header);
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Dials east on the client's own event loop; the client's bytes are read only once the header went out. */
    private static void dial(Channel front, int eastPort, SslContext tls, TransportHeader header) {
        new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel back) {
                        back.pipeline().addLast(tls.newHandler(back.alloc(), "gateway", eastPort));
                    }
                })
                .connect("127.0.0.1", eastPort)
                .addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        front.close();
                        return;
                    }
                    Channel back = connected.channel();
                    back.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                        if (!handshake.isSuccess()) {
                            front.close();
                            back.close();
                            return;
                        }
                        back.pipeline().addLast(new Pipe(front));
                        front.pipeline().replace(front.pipeline().first(), "pipe", new Pipe(back));
                        back.writeAndFlush(header.encode(back.alloc())).addListener((ChannelFutureListener) written -> {
                            if (written.isSuccess()) {
                                front.config().setAutoRead(true);
                            } else {
                                front.close();
                            }
                        });
                    });
                });
    }

    /** Writes what one side reads to the other; an end on either side ends both, after what was written. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Pipe(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (other.isActive()) {
                other.writeAndFlush(msg, other.voidPromise());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                closeBoth(ctx.channel());
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeBoth(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeBoth(ctx.channel());
        }

        private void closeBoth(Channel self) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            self.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
