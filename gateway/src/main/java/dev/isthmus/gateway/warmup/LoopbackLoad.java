package dev.isthmus.gateway.warmup;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.io.IoTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of the warm-up: {@code connections} plaintext HTTP/1.1 keep-alive connections to a port on 127.0.0.1,
 * each sending its next request as soon as the previous response ended (a closed loop), until {@link #close}.
 * Counts the responses that were 200 and the requests that failed. A connection that closes after it was answered is
 * reopened (a cold gateway on a starved node may time one out); one that never was is not, so a broken path ends the
 * load instead of spinning.
 *
 * <p>The requests take turns through {@link #SHAPES}, the shapes real clients send: a {@code GET} with no length
 * (the most common), one with {@code Content-Length: 0}, a {@code POST} with a length or chunked, and requests whose
 * answer is large or chunked ({@link LoopbackBackend}). One shape would not do: the JIT compiles a method for the
 * branches it has seen taken, and the first real request that takes another throws the compiled code away
 * (deoptimizes it) and has it compiled again under real load, the warm-up cliff this load is there to prevent.
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

    /** What a request looks like; the loop cycles through {@link #SHAPES}, so common shapes come more often. */
    enum Shape {
        GET, GET_WITH_EMPTY_LENGTH, GET_LARGE_ANSWER, GET_CHUNKED_ANSWER, POST_WITH_LENGTH, POST_CHUNKED
    }

    static final Shape[] SHAPES = {Shape.GET, Shape.POST_WITH_LENGTH, Shape.GET, Shape.GET_LARGE_ANSWER, Shape.GET,
            Shape.POST_CHUNKED, Shape.GET_WITH_EMPTY_LENGTH, Shape.GET_CHUNKED_ANSWER};

    private static final byte[] JSON = "{\"warm\":true,\"items\":[1,2,3]}".getBytes(StandardCharsets.US_ASCII);

    /** Writes and flushes one request of the given shape. */
    private void send(ChannelHandlerContext ctx, Shape shape) {
        switch (shape) {
            case GET -> ctx.writeAndFlush(head(HttpMethod.GET, "/api/items?page=2&size=20"), ctx.voidPromise());
            case GET_WITH_EMPTY_LENGTH -> {
                FullHttpRequest request = head(HttpMethod.GET, "/");
                HttpUtil.setContentLength(request, 0);
                ctx.writeAndFlush(request, ctx.voidPromise());
            }
            case GET_LARGE_ANSWER -> ctx.writeAndFlush(head(HttpMethod.GET, LoopbackBackend.LARGE_PATH), ctx.voidPromise());
            case GET_CHUNKED_ANSWER -> ctx.writeAndFlush(head(HttpMethod.GET, LoopbackBackend.CHUNKED_PATH), ctx.voidPromise());
            case POST_WITH_LENGTH -> {
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/items",
                        Unpooled.wrappedBuffer(JSON));
                headers(request).set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                HttpUtil.setContentLength(request, JSON.length);
                ctx.writeAndFlush(request, ctx.voidPromise());
            }
            case POST_CHUNKED -> {
                HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/items");
                headers(request).set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                HttpUtil.setTransferEncodingChunked(request, true);
                ctx.write(request, ctx.voidPromise());
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(JSON)), ctx.voidPromise());
                ctx.writeAndFlush(new DefaultLastHttpContent(), ctx.voidPromise());
            }
        }
    }

    private FullHttpRequest head(HttpMethod method, String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
        headers(request);
        return request;
    }

    private HttpHeaders headers(HttpRequest request) {
        return request.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.USER_AGENT, "isthmus-warmup")
                .set(HttpHeaderNames.ACCEPT, "*/*");
    }

    /** One connection's closed loop: a request, its response, the next request. */
    private final class Client extends ChannelInboundHandlerAdapter {
        private boolean okSoFar;
        private boolean answered;
        private int turn;

        private void next(ChannelHandlerContext ctx) {
            send(ctx, SHAPES[turn]);
            turn = (turn + 1) % SHAPES.length;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            next(ctx);
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
                        next(ctx);
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
