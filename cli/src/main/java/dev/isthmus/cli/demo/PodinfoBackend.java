package dev.isthmus.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;

/** A backend that answers like podinfo: its hostname, a greeting, and the Forwarded header it was sent. */
final class PodinfoBackend implements AutoCloseable {

    private final Channel server;

    PodinfoBackend(EventLoopGroup group, String hostname, String message) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        String forwarded = String.join(", ", request.headers().getAll("forwarded"));
                                        String body = "{\"hostname\": \"" + hostname + "\", \"message\": \"" + message
                                                + "\", \"forwarded\": \"" + forwarded.replace("\"", "\\\"") + "\"}\n";
                                        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                                                HttpResponseStatus.OK, Unpooled.copiedBuffer(body, UTF_8));
                                        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                                        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
                                        ctx.writeAndFlush(response);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
