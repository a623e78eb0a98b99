package dev.isthmus.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.tls.IdentityTrustManager;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import java.util.concurrent.TimeUnit;

/**
 * What a calling gateway does, reduced to one request: mTLS to the remote gateway (SNI = its identity),
 * the transport header, then HTTP/1.1. The demo's west side uses it until the outbound gateway exists.
 */
final class DemoClient {

    /**
     * A client that trusts the gateway but has no certificate of its own. It offers the gateway's ALPN
     * protocol, so what a refusal shows is the missing certificate, not a missing protocol.
     */
    static SslContext withoutCertificate(TrustAnchors anchors, Clock clock) throws SSLException {
        return SslContextBuilder.forClient().protocols("TLSv1.3").endpointIdentificationAlgorithm(null)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, TlsContexts.ALPN_TRANSPORT))
                .trustManager(IdentityTrustManager.exactly(anchors, DemoCluster.GATEWAY, clock)).build();
    }

    /** The status and body of a response, or the reason there was none. */
    record Result(int status, String body, String failure) {
        static Result failed(Throwable cause) {
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new Result(0, "", root.getClass().getSimpleName() + ": " + root.getMessage());
        }
    }

    private DemoClient() {}

    static Result get(EventLoopGroup group, SslContext tls, String sni, int port, String service, int servicePort, String path) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), sni, port), new HttpClientCodec(),
                                new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                                        result.complete(new Result(response.status().code(),
                                                response.content().toString(UTF_8).strip(), null));
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        result.complete(new Result(0, "", "the gateway closed the connection"));
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        result.complete(Result.failed(cause));
                                        ctx.close();
                                    }
                                });
                    }
                });
        bootstrap.connect("127.0.0.1", port).addListener(connected -> {
            if (!connected.isSuccess()) {
                result.complete(Result.failed(connected.cause()));
                return;
            }
            Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
            channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    result.complete(Result.failed(handshake.cause()));
                    channel.close();
                    return;
                }
                // The header goes under the HTTP codec, straight into TLS.
                channel.pipeline().context(HttpClientCodec.class).writeAndFlush(
                        new TransportHeader(service, servicePort, SessionProtocol.HTTP1).encode(channel.alloc()));
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                request.headers().set(HttpHeaderNames.HOST, service + ":" + servicePort);
                channel.writeAndFlush(request);
            });
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Result.failed(e);
        }
    }
}
