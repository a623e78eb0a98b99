package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.transport.TransportHeaderDecoder;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * West's prober against a remote "gateway" that has east's identity and speaks HTTP/2 over the transport header, but
 * answers the probe with what no gateway should: a status that is no number, a body far past a probe answer's, a reset,
 * a GOAWAY. Each is a failed probe whose error says what came back, and the link goes dead; nothing leaks (paranoid
 * leak detection) and nothing reaches a pipeline tail.
 */
class ProbeHostileAnswerIT {

    static TestPki pki;
    static EventLoopGroup loops;
    static Channel hostile;
    LinkProbes probes;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SslContext tls = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), TlsProviders.preferred(), Clock.systemUTC());
        hostile = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()), new TransportHeaderDecoder(), new SkipHeader(),
                                Http2FrameCodecBuilder.forServer().build(), new Http2MultiplexHandler(new HostileAnswers()));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        hostile.close().sync();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @AfterEach
    void closeProbes() {
        if (probes != null) {
            probes.close();
        }
    }

    @Test
    void aStatusThatIsNoNumberFailsTheProbeAndSaysSo() {
        assertThat(probe("/bad-status")).endsWith("answered with a malformed response: :status '2xx' (expected: a three-digit status code)");
    }

    @Test
    void anAnswerPastEightKibibytesFailsTheProbe() {
        assertThat(probe("/huge")).endsWith("answered with more than 8192 bytes, which is no probe answer");
    }

    @Test
    void aResetBeforeTheAnswerFailsTheProbe() {
        assertThat(probe("/reset")).endsWith("the stream closed before an answer");
    }

    @Test
    void aGoAwayBeforeTheAnswerFailsTheProbe() {
        assertThat(probe("/goaway")).endsWith("closed before an answer");
    }

    /** Probes the hostile gateway at {@code path} until the link is dead; returns the link's last error. */
    private String probe(String path) {
        probes = new LinkProbes(loops, new PeerGatewayConnector(ClientContexts.current(() -> pki.leaf(TestPki.PEER), pki::anchors,
                TlsProviders.preferred(), Clock.systemUTC()), Duration.ofSeconds(3), Duration.ofSeconds(10)),
                new ProbeSettings(Duration.ofMillis(100), Duration.ofMillis(2000), 1, 0.1, path), new SimpleMeterRegistry(),
                Clock.systemUTC());
        RouteTable routes = GatewayProbeIT.westRoutes(TestPki.GATEWAY, ((InetSocketAddress) hostile.localAddress()).getPort());
        probes.follow(routes);
        GatewayProbeIT.await("the link dead", () -> !probes.alive("east"));
        String error = probes.status("east").orElseThrow().lastError();
        assertThat(error).as("the error names the address it came from").startsWith("127.0.0.1:");
        return error;
    }

    /** The transport header has been read; the HTTP/2 session follows it. */
    private static final class SkipHeader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TransportHeader) {
                ctx.pipeline().remove(this);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Answers each probe stream by its path, as no gateway should. */
    @ChannelHandler.Sharable
    private static final class HostileAnswers extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (!(msg instanceof Http2HeadersFrame request)) {
                return;
            }
            switch (String.valueOf(request.headers().path())) {
                case "/bad-status" -> ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).status("2xx"), true));
                case "/huge" -> {
                    ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
                    ctx.writeAndFlush(new DefaultHttp2DataFrame(ctx.alloc().buffer(9000).writeZero(9000), true));
                }
                case "/reset" -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                case "/goaway" -> ctx.channel().parent().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
                default -> ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), true));
            }
        }
    }
}
