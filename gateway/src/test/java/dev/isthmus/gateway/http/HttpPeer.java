package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.testing.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A peer gateway's HTTP session for tests: mTLS, the transport header, then HTTP/1.1 or HTTP/2 (prior
 * knowledge) on the same connection. The HTTP codecs go in only after the header is written, as a
 * real peer does, since both would otherwise speak first.
 */
final class HttpPeer implements AutoCloseable {

    /** A response, copied out of Netty's buffers so that a test cannot leak them. */
    record Reply(int status, HttpHeaders headers, String body) {
        String error() {
            return headers.get(ErrorResponses.ERROR_HEADER);
        }
    }

    private final Channel channel;
    private final SessionProtocol protocol;
    private final Queue<CompletableFuture<Reply>> waiting = new ConcurrentLinkedQueue<>();
    final CountDownLatch goAway = new CountDownLatch(1);

    private HttpPeer(Channel channel, SessionProtocol protocol) {
        this.channel = channel;
        this.protocol = protocol;
    }

    static HttpPeer open(MtlsClient client, int port, TestPki pki, TransportHeader header) throws Exception {
        Channel channel = client.connect(port, pki.leaf(TestPki.PEER), pki);
        HttpPeer peer = new HttpPeer(channel, header.protocol());
        // One event-loop task: the gateway may answer the header at once (HTTP/2 SETTINGS), so the codecs
        // must be in place before anything can be read, and their own first bytes must follow the header.
        channel.eventLoop().submit(() -> {
            channel.writeAndFlush(header.encode(channel.alloc()));
            if (header.protocol() == SessionProtocol.HTTP2) {
                channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), peer.new GoAwayWatcher());
            } else {
                channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), peer.new InOrder());
            }
        }).sync();
        return peer;
    }

    Channel channel() {
        return channel;
    }

    /** Sends a request; on HTTP/1.1 replies come in the order requests went out, on HTTP/2 each has its stream. */
    CompletableFuture<Reply> send(FullHttpRequest request) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        if (protocol == SessionProtocol.HTTP2) {
            openStream(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20), new OneReply(reply))
                    .addListener(f -> {
                        if (f.isSuccess()) {
                            ((Channel) f.getNow()).writeAndFlush(request);
                        } else {
                            ReferenceCountUtil.release(request);
                            reply.completeExceptionally(f.cause());
                        }
                    });
        } else {
            waiting.add(reply);
            channel.writeAndFlush(request);
        }
        return reply;
    }

    Reply exchange(FullHttpRequest request) throws Exception {
        return send(request).get(20, TimeUnit.SECONDS);
    }

    /** A new HTTP/2 stream with the given handlers; for tests that stream bodies themselves. */
    Future<Http2StreamChannel> openStream(ChannelHandler... handlers) {
        return new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(handlers);
            }
        }).open();
    }

    /**
     * Starts a request whose body the test then writes piece by piece: on HTTP/1.1 on the connection, on
     * HTTP/2 on a new stream. The reply (small) is collected as usual.
     */
    Upload upload(HttpRequest head) throws Exception {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Channel target;
        if (protocol == SessionProtocol.HTTP2) {
            target = openStream(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20),
                    new OneReply(reply)).sync().getNow();
        } else {
            waiting.add(reply);
            target = channel;
        }
        target.writeAndFlush(head).sync();
        return new Upload(target, reply);
    }

    /** A request body in progress. */
    static final class Upload {
        final Channel channel;
        final CompletableFuture<Reply> reply;

        Upload(Channel channel, CompletableFuture<Reply> reply) {
            this.channel = channel;
            this.reply = reply;
        }

        /** Writes the next piece and waits until it left, so the test itself never holds more than one. */
        void write(ByteBuf piece, boolean last) throws InterruptedException {
            channel.writeAndFlush(last ? new DefaultLastHttpContent(piece) : new DefaultHttpContent(piece)).sync();
        }
    }

    /** HTTP/1.1: swaps the aggregating reply collector for {@code handler}, for responses too big to aggregate. */
    void streamHttp1Responses(ChannelHandler handler) throws Exception {
        channel.eventLoop().submit(() -> {
            channel.pipeline().remove(HttpObjectAggregator.class);
            channel.pipeline().remove(InOrder.class);
            channel.pipeline().addLast(handler);
        }).sync();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    static Reply copy(FullHttpResponse response) {
        return new Reply(response.status().code(), new DefaultHttpHeaders().add(response.headers()),
                response.content().toString(UTF_8));
    }

    /** HTTP/1.1: the replies, matched to requests by order. */
    private final class InOrder extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            CompletableFuture<Reply> next = waiting.poll();
            if (next != null) {
                next.complete(copy(response));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            closeOnEndOfInput(ctx, event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (CompletableFuture<Reply> next; (next = waiting.poll()) != null; ) {
                next.completeExceptionally(new IOException("the gateway closed the connection before replying"));
            }
            ctx.fireChannelInactive();
        }
    }

    /** HTTP/2: the reply of one stream. */
    private static final class OneReply extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<Reply> reply;

        OneReply(CompletableFuture<Reply> reply) {
            this.reply = reply;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            reply.complete(copy(response));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            reply.completeExceptionally(new IOException("the stream closed before a reply"));
            ctx.fireChannelInactive();
        }
    }

    /** The gateway ended its side (FIN or close_notify): nothing more will come, so the test's side closes too. */
    static void closeOnEndOfInput(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(event);
    }

    private final class GoAwayWatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            closeOnEndOfInput(ctx, event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame) {
                goAway.countDown();
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
