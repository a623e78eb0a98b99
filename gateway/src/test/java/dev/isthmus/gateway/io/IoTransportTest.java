package dev.isthmus.gateway.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IoTransportTest {

    @Test
    void nioIsChosenWhenAskedFor() {
        assertThat(IoTransport.choose("nio")).isEqualTo(IoTransport.NIO);
        assertThat(IoTransport.choose(" NIO ")).isEqualTo(IoTransport.NIO);
    }

    @Test
    void autoAndEpollTakeEpollWhereItLoadsAndNioElsewhere() {
        IoTransport expected = Epoll.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO;
        assertThat(IoTransport.choose("auto")).isEqualTo(expected);
        assertThat(IoTransport.choose("epoll")).isEqualTo(expected);
    }

    @Test
    void anUnknownSettingIsRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> IoTransport.choose("io_uring"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("isthmus.ioTransport: io_uring (expected: auto, epoll or nio)");
    }

    @Test
    void anEventLoopThatIsNotAnIoLoopTakesNioChannels() {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(IoTransport.of(channel.eventLoop())).isEqualTo(IoTransport.NIO);
        channel.finishAndReleaseAll();
    }

    /** Each transport's groups report themselves as such, and its server and client channels carry bytes on them. */
    @ParameterizedTest
    @EnumSource(IoTransport.class)
    void aGroupOfEachTransportIsRecognisedAndCarriesAConnection(IoTransport transport) throws Exception {
        if (transport == IoTransport.EPOLL && !Epoll.isAvailable()) {
            return; // nothing to check where epoll does not load; the choice test covers the fallback
        }
        EventLoopGroup group = transport.newGroup(1);
        try {
            assertThat(IoTransport.of(group)).isEqualTo(transport);
            assertThat(IoTransport.of(group.next())).isEqualTo(transport);
            Channel server = new ServerBootstrap().group(group).channel(IoTransport.of(group).serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg); // echo
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(IoTransport.of(group.next()).socketChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf bytes = (ByteBuf) msg;
                            echoed.complete(bytes.toString(StandardCharsets.US_ASCII));
                            bytes.release();
                        }
                    }).connect((InetSocketAddress) server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
