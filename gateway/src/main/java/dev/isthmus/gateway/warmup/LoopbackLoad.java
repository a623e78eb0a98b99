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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of the warm-up: {@code connections} plaintext HTTP/1.1 keep-alive connections to a port on 127.0.0.1,
 * each sending {@code GET /} again as soon as the previous response ended (a closed loop), until {@link #close}.
 * Counts the responses that were 200 and the requests that failed. A connection that closes after it was answered is
 * reopened (a cold gateway on a starved node may time one out); one that never was is not, so a broken path ends the
 * load instead of spinning.
 *
 * <p>Clients also come and go, as real ones do: each connection leaves after several hundred requests (how many depends
 * on the connection, so they do not leave together) and a new one takes its place. Every other one leaves with a
 * request in flight, as a client that gives up or a load generator that stops does; the others leave after their
 * answer. Without that, the compiled data path had only ever seen long-lived connections: the first clients to leave
 * (the end of a load, a burst of disconnects) and the first requests of new ones each took branches the JIT had
 * compiled as never taken, and it threw away 20-30 of the hottest methods on west at each (JFR's
 * {@code jdk.Deoptimization} events), to compile them again under the next load. With clients that come and go here,
 * the JIT's work under that next load is about a third less; it does not go away, since the JIT still bets on the
 * common case (benchmarks/README.md, "Clients that come and go").
 */
public final class LoopbackLoad implements AutoCloseable {

    private final ChannelGroup channels = new DefaultChannelGroup("isthmus-warmup-load", GlobalEventExecutor.INSTANCE);
    /** Every channel the load made and has not closed yet, those still connecting included (a channel leaves on close). */
    private final ChannelGroup made = new DefaultChannelGroup("isthmus-warmup-load-made", GlobalEventExecutor.INSTANCE);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong left = new AtomicLong();
    /** Connections being opened in place of ones that left or closed: counted as open, so a churn never ends the load. */
    private final Set<ChannelFuture> opening = ConcurrentHashMap.newKeySet();
    private final AtomicInteger joined = new AtomicInteger();
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
                        made.add(channel);
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

    /** Connections that left on purpose so far, each replaced by a new one. */
    public long left() {
        return left.get();
    }

    /** Connections open or being opened: none means the load has ended by itself. */
    public int open() {
        return channels.size() + opening.size();
    }

    /** Channels of this load not closed yet: none once {@link #close} has returned. */
    int unclosed() {
        return made.size();
    }

    /** Closes every connection, and those being opened once their connect ends: nothing of the load outlives it. */
    @Override
    public void close() {
        synchronized (this) { // a reopen() either registered its connect in opening before this, or sees running false
            running = false;
        }
        while (!opening.isEmpty()) {
            for (ChannelFuture connect : List.copyOf(opening)) {
                connect.awaitUninterruptibly();
                connect.channel().close().awaitUninterruptibly();
                opening.remove(connect);
            }
        }
        channels.close().awaitUninterruptibly();
    }

    private synchronized void reopen() {
        if (!running) {
            return; // close() has begun: it waits only for the connects registered before it
        }
        ChannelFuture connecting = bootstrap.connect("127.0.0.1", port);
        opening.add(connecting);
        connecting.addListener((ChannelFuture connect) -> {
            if (!connect.isSuccess()) {
                failed.incrementAndGet();
            } else if (running) {
                channels.add(connect.channel());
            } else {
                connect.channel().close(); // closed meanwhile: nothing may outlive close()
            }
            opening.remove(connect); // after the add: open() never dips while one connection takes another's place
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

    /**
     * One connection's closed loop: a request, its response, the next request; after {@link #budget} answers it leaves,
     * with its next request in flight or without, and a new connection takes its place.
     */
    private final class Client extends ChannelInboundHandlerAdapter {
        private final int number = joined.getAndIncrement();
        /** 512 to 2,047 answers, spread over the connections so that they leave one by one. */
        private final int budget = 512 + (number * 211) % 1536;
        private int answers;
        private boolean leaving;
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
                    if (running && okSoFar && ++answers >= budget) {
                        leave(ctx);
                    } else if (running && okSoFar) {
                        ctx.writeAndFlush(request(), ctx.voidPromise());
                    } else {
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void leave(ChannelHandlerContext ctx) {
            leaving = true;
            left.incrementAndGet();
            if (number % 2 == 1) {
                ctx.writeAndFlush(request(), ctx.voidPromise()); // and gone before its answer
            }
            ctx.close();
            reopen();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (running && !leaving) {
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
