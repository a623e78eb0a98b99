package dev.isthmus.gateway.warmup;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.io.IoTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of the warm-up: {@code connections} plaintext HTTP/1.1 keep-alive connections to a port on 127.0.0.1,
 * each sending {@code GET /} again as soon as the previous response ended (a closed loop), until {@link #close}.
 * Counts the responses that were 200 and the requests that failed. A connection that closes after it was answered is
 * reopened (a cold gateway on a starved node may time one out); one that never was is not, so a broken path ends the
 * load instead of spinning.
 */
public final class LoopbackLoad implements AutoCloseable {

    private final ChannelGroup channels = new DefaultChannelGroup("isthmus-warmup-load", GlobalEventExecutor.INSTANCE);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final String host;
    private final Bootstrap bootstrap;
    private final int port;
    private volatile boolean running = true;

    /**
     * @param host the {@code Host} header the requests carry
     */
    public LoopbackLoad(EventLoopGroup group, int port, int connections, String host) throws InterruptedException {
        this.host = requireNonNull(host, "host");
        if (connections < 1) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: at least 1)");
        }
        this.port = port;
        this.bootstrap = new Bootstrap().group(group).channel(IoTransport.of(group).socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new Client());
                    }
                });
        for (int i = 0; i < connections; i++) {
            ChannelFuture connect = bootstrap.connect("127.0.0.1", port).await();
            if (connect.isSuccess()) {
                channels.add(connect.channel());
            } else {
                failed.incrementAndGet();
            }
        }
    }

    /** Responses with status 200 so far. */
    public long ok() {
        return ok.get();
    }

    /** Requests that got another status, or whose connection failed, so far. */
    public long failed() {
        return failed.get();
    }

    /** Connections still open: none means the load has ended by itself. */
    public int open() {
        return channels.size();
    }

    @Override
    public void close() {
        running = false;
        channels.close().awaitUninterruptibly();
    }

    private void reopen() {
        bootstrap.connect("127.0.0.1", port).addListener((ChannelFuture connect) -> {
            if (!connect.isSuccess()) {
                failed.incrementAndGet();
            } else if (running) {
                channels.add(connect.channel());
            } else {
                connect.channel().close(); // closed meanwhile: nothing may outlive close()
            }
        });
    }

    /**
     * A GET without {@code Content-Length}, as curl, wrk and browsers send it, so that the warm-up compiles the branch
     * their requests take: with {@code Content-Length: 0}, the first real GETs deoptimized the request's framing
     * (benchmarks/README.md, "Three rounds").
     */
    private FullHttpRequest request() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.headers().set(HttpHeaderNames.HOST, host);
        return request;
    }

    /** One connection's closed loop: a request, its response, the next request. */
    private final class Client extends ChannelInboundHandlerAdapter {
        private boolean okSoFar;
        private boolean answered;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(request(), ctx.voidPromise());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    okSoFar = response.status().code() == 200 && response.decoderResult().isSuccess();
                }
                if (msg instanceof LastHttpContent) {
                    (okSoFar ? ok : failed).incrementAndGet();
                    answered |= okSoFar;
                    if (running && okSoFar) {
                        ctx.writeAndFlush(request(), ctx.voidPromise());
                    } else {
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (running) {
                failed.incrementAndGet(); // closed under a request in flight
                if (answered) {
                    reopen();
                }
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
