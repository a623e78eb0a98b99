package dev.isthmus.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import java.util.concurrent.TimeUnit;

/**
 * What a calling gateway does, reduced to one request: the gateway's own connector to a peer (mTLS, SNI = the
 * peer's identity, the transport header), then HTTP/1.1. The demo shows with it what east's gateway refuses.
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

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private DemoClient() {}

    /**
     * One request to the gateway on {@code port} of this host, dialed as a gateway dials a peer (the gateway's
     * {@link PeerGatewayConnector}) but with {@code tls} as its client context: a client the gateway should refuse
     * is one with a context of the wrong kind.
     */
    static Result get(EventLoopGroup group, SslContext tls, int port, String service, int servicePort, String path) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        PeerGatewayConnector connector = new PeerGatewayConnector(peer -> tls, TIMEOUT, TIMEOUT);
        ChannelInitializer<Channel> http = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                        result.complete(new Result(response.status().code(), response.content().toString(UTF_8).strip(), null));
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
                PipelineTail.addTo(ch.pipeline());
            }
        };
        connector.connect(group.next(), new Endpoint("127.0.0.1", port, true), DemoCluster.GATEWAY,
                new TransportHeader(service, servicePort, SessionProtocol.HTTP1), http).addListener(connected -> {
                    if (!connected.isSuccess()) {
                        result.complete(Result.failed(connected.cause()));
                        return;
                    }
                    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                    request.headers().set(HttpHeaderNames.HOST, service + ":" + servicePort);
                    ((Channel) connected.getNow()).writeAndFlush(request);
                });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Result.failed(e);
        }
    }
}
