package dev.isthmus.gateway.warmup;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.gateway.io.IoTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;

/**
 * The backend of the warm-up: on 127.0.0.1 only, it answers every HTTP/1.1 request with 200 and a short body, keeping
 * the connection open when the client asks to. It runs on the event loops it is given.
 */
public final class LoopbackBackend implements AutoCloseable {

    static final byte[] BODY = "warm\n".getBytes(US_ASCII);

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

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                    ctx.close(); // not HTTP: the warm-up's own clients never send that, so nobody waits for an answer
                    return;
                }
                if (msg instanceof HttpRequest request) {
                    keepAlive = HttpUtil.isKeepAlive(request);
                }
                if (msg instanceof LastHttpContent) {
                    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            Unpooled.wrappedBuffer(BODY));
                    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
                    if (keepAlive) {
                        ctx.writeAndFlush(response, ctx.voidPromise());
                    } else {
                        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a warm-up backend has nobody to tell; the client counts the failure
        }
    }
}
