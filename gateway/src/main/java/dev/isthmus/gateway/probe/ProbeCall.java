package dev.isthmus.gateway.probe;

import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.transport.SessionProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One probe of one link, on one event loop: a new TCP connection to a remote gateway address, the mTLS
 * handshake (SNI = the gateway identity's DNS name; the certificate must carry exactly that identity),
 * the transport header for {@link ProbeTarget} with HTTP/1.1, and {@code GET <path>} with
 * {@code Connection: close}. It succeeds on a 200, with the time all of that took.
 *
 * <p>A fresh connection each time asks what the data path needs to know, "can a new connection get
 * through now?", and re-checks the remote certificate on every probe. Addresses are tried in turn until
 * one answers; the timeout covers them all. Whatever way the probe ends, its connection is closed.
 */
final class ProbeCall {

    /** The probe's answer is a line naming the gateway; anything much larger is not a probe answer. */
    static final int MAX_RESPONSE = 8 * 1024;
    private static final String USER_AGENT = "isthmus-gateway-probe";

    private final EventLoop loop;
    private final ProbedLink link;
    private final SslContext tls;
    private final ProbeSettings settings;
    private final Promise<Duration> result;
    private final long startNanos = System.nanoTime();
    private Channel channel;
    private Endpoint gateway;

    private ProbeCall(EventLoop loop, ProbedLink link, SslContext tls, ProbeSettings settings) {
        this.loop = loop;
        this.link = link;
        this.tls = tls;
        this.settings = settings;
        this.result = loop.newPromise();
    }

    /** Starts a probe; must be called on {@code loop}. The future fails with a {@link ProbeException}; cancelling it ends the probe. */
    static Future<Duration> send(EventLoop loop, ProbedLink link, SslContext tls, ProbeSettings settings) {
        ProbeCall call = new ProbeCall(loop, link, tls, settings);
        call.start();
        return call.result;
    }

    private void start() {
        Duration timeout = settings.timeout();
        ScheduledFuture<?> timer = loop.schedule(() -> {
            result.tryFailure(new ProbeException((gateway == null ? link.name() : gateway.toString()) + ": no answer within "
                    + timeout.toMillis() + " ms"));
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.addListener(done -> {
            timer.cancel(false);
            if (channel != null) {
                channel.close();
            }
        });
        attempt(0, new ProbeException("link " + link.name() + " has no gateway address"));
    }

    /** Tries the gateway address at {@code index}; past the last one, the probe fails with {@code previous}. */
    private void attempt(int index, ProbeException previous) {
        if (result.isDone()) {
            return;
        }
        if (index >= link.gateways().size()) {
            result.tryFailure(previous);
            return;
        }
        gateway = link.gateways().get(index);
        Attempt attempt = new Attempt(index, gateway);
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(startNanos + settings.timeout().toNanos() - System.nanoTime());
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, remainingMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), link.identity().dnsName(), attempt.gateway.port()));
                        ch.pipeline().addLast("probe", attempt);
                        PipelineTail.addTo(ch.pipeline());
                    }
                })
                .connect(gateway.host(), gateway.port());
        channel = connect.channel();
        attempt.channel = channel;
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                attempt.failed(f.cause());
            }
        });
    }

    /** The handler of one attempt; the first of its outcomes counts, later ones (the close after a failure) do not. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private final int index;
        private final Endpoint gateway;
        private Channel channel;
        private boolean over;

        Attempt(int index, Endpoint gateway) {
            this.index = index;
            this.gateway = gateway;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent completion) {
                if (completion.isSuccess()) {
                    ask(ctx);
                } else {
                    failed(completion.cause());
                }
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        /** The header goes straight to TLS; the HTTP codecs, added after it, carry the request. */
        private void ask(ChannelHandlerContext ctx) {
            ctx.write(ProbeTarget.header(SessionProtocol.HTTP1).encode(ctx.alloc()), ctx.voidPromise());
            ctx.pipeline().addBefore(ctx.name(), "http-codec", new HttpClientCodec());
            ctx.pipeline().addBefore(ctx.name(), "http-aggregator", new HttpObjectAggregator(MAX_RESPONSE));
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, settings.path());
            request.headers()
                    .set(HttpHeaderNames.HOST, ProbeTarget.NAME + ":" + ProbeTarget.PORT)
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(request, ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof FullHttpResponse response) || over) {
                    return;
                }
                int status = response.status().code();
                if (status == 200) {
                    over = true;
                    result.trySuccess(Duration.ofNanos(System.nanoTime() - startNanos));
                } else {
                    String body = response.content().toString(StandardCharsets.UTF_8).strip();
                    failed(new ProbeException("answered " + response.status() + (body.isEmpty() ? "" : ": " + body)));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failed(new ProbeException("the connection closed before an answer"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause);
        }

        void failed(Throwable cause) {
            if (over) {
                return;
            }
            over = true;
            channel.close();
            attempt(index + 1, new ProbeException(gateway + ": " + describe(cause), cause));
        }
    }

    /** Says why, in the terms an operator acts on: a refused certificate names the identity it carried and the one expected. */
    static String describe(Throwable cause) {
        if (cause instanceof ProbeException) {
            return cause.getMessage();
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException) {
                return "the remote gateway's certificate was refused: " + t.getMessage();
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
