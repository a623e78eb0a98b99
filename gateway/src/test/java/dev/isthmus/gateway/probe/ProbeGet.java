package dev.isthmus.gateway.probe;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request on a peer's session to a gateway, over mTLS, HTTP/1.1 or HTTP/2: how the tests ask the
 * probe target themselves, with any method and path.
 */
final class ProbeGet {

    /** A response copied out of Netty's buffers, so a test cannot leak them. */
    record Reply(int status, String body) {}

    private ProbeGet() {}

    static Reply request(MtlsClient client, int port, CertifiedKey credentials, TestPki pki, TransportHeader header,
            HttpMethod method, String path) throws Exception {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Channel channel = client.connect(port, credentials, pki, new CloseOnEndOfInput());
        channel.closeFuture().addListener(f -> reply.completeExceptionally(new IOException("the gateway closed the connection")));
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path);
        request.headers().set(HttpHeaderNames.HOST, header.target()).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        // One event-loop task: the codecs must be in place before the gateway's first bytes can be read.
        channel.eventLoop().execute(() -> {
            channel.writeAndFlush(header.encode(channel.alloc()));
            if (header.protocol() == SessionProtocol.HTTP2) {
                channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 16),
                                new Collect(reply));
                    }
                }).open().addListener(f -> {
                    if (f.isSuccess()) {
                        ((Channel) f.getNow()).writeAndFlush(request);
                    } else {
                        ReferenceCountUtil.release(request);
                        reply.completeExceptionally(f.cause());
                    }
                });
            } else {
                channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), new Collect(reply));
                channel.writeAndFlush(request);
            }
        });
        try {
            return reply.get(10, TimeUnit.SECONDS);
        } finally {
            channel.close().syncUninterruptibly();
        }
    }

    /** The client allows half-closure; a gateway that ends its side (FIN or close_notify) ends the exchange. */
    private static final class CloseOnEndOfInput extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(event);
        }
    }

    private static final class Collect extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<Reply> reply;

        Collect(CompletableFuture<Reply> reply) {
            this.reply = reply;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            reply.complete(new Reply(response.status().code(), response.content().toString(UTF_8)));
        }
    }
}
