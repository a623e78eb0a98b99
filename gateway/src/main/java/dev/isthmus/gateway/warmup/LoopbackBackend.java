package dev.isthmus.gateway.warmup;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.gateway.io.IoTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;

/**
 * The backend of the warm-up: on 127.0.0.1 only, it answers every HTTP/1.1 request with 200, keeping the connection
 * open when the client asks to: a short body with a length, except at {@link #LARGE_PATH} (a body of
 * {@link #LARGE_BODY_BYTES}, several TLS records and HTTP/2 DATA frames on the way back) and {@link #CHUNKED_PATH} (a
 * chunked answer, as streaming servers send). It runs on the event loops it is given.
 */
public final class LoopbackBackend implements AutoCloseable {

    static final byte[] BODY = "warm\n".getBytes(US_ASCII);
    static final String LARGE_PATH = "/large";
    static final String CHUNKED_PATH = "/chunked";
    static final int LARGE_BODY_BYTES = 24 * 1024;
    private static final byte[] LARGE_BODY = "0123456789abcdef".repeat(LARGE_BODY_BYTES / 16).getBytes(US_ASCII);

    private final Channel server;
    private final ChannelGroup accepted = new DefaultChannelGroup("isthmus-warmup-backend", GlobalEventExecutor.INSTANCE);

    public LoopbackBackend(EventLoopGroup group) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(IoTransport.of(group).serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.add(channel);
                        channel.pipeline().addLast(new HttpServerCodec(), new Responder());
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
        accepted.close().awaitUninterruptibly();
    }

    /** Answers once the whole request is in, so that a request body never meets the next response. */
    private static final class Responder extends ChannelInboundHandlerAdapter {
        private boolean keepAlive;
        private String path = "/";

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                    ctx.close(); // not HTTP: the warm-up's own clients never send that, so nobody waits for an answer
                    return;
                }
                if (msg instanceof HttpRequest request) {
                    keepAlive = HttpUtil.isKeepAlive(request);
                    path = request.uri();
                }
                if (msg instanceof LastHttpContent) {
                    answer(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            boolean chunked = path.equals(CHUNKED_PATH);
            byte[] body = path.equals(LARGE_PATH) ? LARGE_BODY : BODY;
            HttpResponse response = chunked
                    ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
                    : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                HttpUtil.setContentLength(response, body.length);
            }
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ChannelFuture written;
            if (chunked) {
                ctx.write(response, ctx.voidPromise());
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body)), ctx.voidPromise());
                written = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
            } else {
                written = ctx.writeAndFlush(response);
            }
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a warm-up backend has nobody to tell; the client counts the failure
        }
    }
}
