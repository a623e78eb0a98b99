package dev.isthmus.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;

/** A plaintext HTTP/1.1 keep-alive connection straight to the backend: one {@code GET /} at a time. */
final class Http1Lane extends ChannelInboundHandlerAdapter implements Lane {

    private static final String HOST = GatewayUnderTest.SERVICE + ":" + GatewayUnderTest.SERVICE_PORT;

    private final LoadLoop loop;
    private Channel channel;
    private boolean open;
    private boolean busy;
    private boolean ok;
    private boolean dirty;
    private long releasedAt;

    private Http1Lane(LoadLoop loop) {
        this.loop = loop;
    }

    static Future<Lane> open(LoadLoop loop, SocketAddress backend) {
        Http1Lane lane = new Http1Lane(loop);
        Promise<Lane> ready = loop.executor().newPromise();
        ChannelFuture connect = new Bootstrap().group(loop.executor()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), lane);
                    }
                })
                .connect(backend);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                ready.setFailure(f.cause());
                return;
            }
            lane.channel = connect.channel();
            lane.open = lane.channel.isActive();
            loop.add(lane);
            ready.setSuccess(lane);
        });
        return ready;
    }

    @Override
    public boolean hasCapacity() {
        return open && !busy;
    }

    @Override
    public void send(long releasedAt) {
        this.releasedAt = releasedAt;
        busy = true;
        ok = false;
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, HOST);
        channel.write(request, channel.voidPromise());
        dirty = true;
    }

    @Override
    public void flush() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    @Override
    public int inFlight() {
        return busy ? 1 : 0;
    }

    @Override
    public void close() {
        open = false;
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                ok = response.status().code() == 200;
            }
            if (msg instanceof LastHttpContent && busy) {
                busy = false;
                loop.completed(this, releasedAt, ok);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open = false;
        if (busy) {
            busy = false;
            loop.completed(this, releasedAt, false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
