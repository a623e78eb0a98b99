package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.routing.BackendProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP backend on 127.0.0.1 that speaks HTTP/1.1 or h2c (prior knowledge), with the same
 * behaviour either way, chosen by path:
 * <ul>
 * <li>{@code /upload}: reads and drops the body, counting it, then answers {@code received <n>};
 * <li>{@code /download/<n>}: streams {@code n} bytes, writing only while the connection is writable;
 * <li>{@code /silent}: never answers;
 * <li>anything else: {@code hello from <protocol>}.
 * </ul>
 * It records each request head, and counts connections opened and closed. Public for the outbound
 * side's end-to-end tests, whose east cluster serves from it.
 */
public final class TestBackend implements AutoCloseable {

    /** What the backend saw of one request. */
    public record Seen(String method, String uri, HttpHeaders headers) {}

    private static final int DOWNLOAD_CHUNK = 16 * 1024;

    private final BackendProtocol protocol;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    public final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closedConnections = new AtomicInteger();
    final AtomicLong uploaded = new AtomicLong();
    public final CountDownLatch uploadStarted = new CountDownLatch(1);
    final CountDownLatch connectionClosed = new CountDownLatch(1);
    public final CountDownLatch uploadAbandoned = new CountDownLatch(1);
    final AtomicLong downloaded = new AtomicLong();

    public TestBackend(BackendProtocol protocol) throws InterruptedException {
        this(protocol, new HttpDecoderConfig());
    }

    /**
     * An HTTP/1.1 backend with its own request limits: like a real server (Go's allows 1 MiB of headers),
     * and unlike Netty's defaults (8 KiB), so that what a test sends reaches it whole.
     */
    public TestBackend(BackendProtocol protocol, HttpDecoderConfig http1Limits) throws InterruptedException {
        this.protocol = protocol;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.closeFuture().addListener(f -> {
                            closedConnections.incrementAndGet();
                            connectionClosed.countDown();
                        });
                        if (protocol == BackendProtocol.H2C) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new Behaviour());
                                        }
                                    }));
                        } else {
                            ch.pipeline().addLast(new HttpServerCodec(http1Limits), new Behaviour());
                        }
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Behaviour extends ChannelInboundHandlerAdapter {
        private String path;
        private long received;
        private long toSend;
        private boolean requestEnded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    path = request.uri();
                    received = 0;
                    requestEnded = false;
                    seen.add(new Seen(request.method().name(), request.uri(), new DefaultHttpHeaders().add(request.headers())));
                }
                if (msg instanceof HttpContent content && content.content().isReadable()) {
                    received += content.content().readableBytes();
                    if (path.equals("/upload")) {
                        uploaded.addAndGet(content.content().readableBytes());
                        uploadStarted.countDown();
                    }
                }
                if (msg instanceof LastHttpContent) {
                    requestEnded = true;
                    answer(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            if (path.equals("/silent")) {
                return;
            }
            if (path.startsWith("/download/")) {
                toSend = Long.parseLong(path.substring("/download/".length()));
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(head, toSend);
                ctx.write(head);
                sendMore(ctx);
                return;
            }
            String body = path.equals("/upload") ? "received " + received : "hello from " + protocol;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        /** Writes while the connection is writable, so the backend itself holds little; the rest when it drains. */
        private void sendMore(ChannelHandlerContext ctx) {
            while (toSend > 0 && ctx.channel().isWritable()) {
                int size = (int) Math.min(DOWNLOAD_CHUNK, toSend);
                ByteBuf chunk = ctx.alloc().buffer(size);
                chunk.writeZero(size);
                toSend -= size;
                downloaded.addAndGet(size);
                ctx.write(toSend == 0 ? new DefaultLastHttpContent(chunk) : new DefaultHttpContent(chunk));
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && toSend > 0) {
                sendMore(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        /** A connection (HTTP/1.1) or stream (h2c) that ends in the middle of an upload was abandoned by the gateway. */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if ("/upload".equals(path) && !requestEnded) {
                uploadAbandoned.countDown();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
