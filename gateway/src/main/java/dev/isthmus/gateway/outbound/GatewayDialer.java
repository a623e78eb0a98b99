package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.tls.HandshakeFailure;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Connections to remote gateways, the wire protocol's client side: TCP, TLS 1.3 with our certificate
 * and SNI set to the remote gateway's DNS identity, ALPN {@code transport.l5d.io/v1}, then the transport
 * header naming the remote service. A connection counts as made once the handshake proved the peer is
 * exactly the expected gateway identity. Every failure is counted by link and reason and starts the
 * address's {@link ReconnectBackoff}; while it lasts, attempts fail at once.
 */
final class GatewayDialer {

    private static final Logger log = Logger.getLogger(GatewayDialer.class.getName());

    private final ClientTls tls;
    private final ReconnectBackoff backoff;
    private final GatewayMetrics metrics;
    private final Duration connectTimeout;

    GatewayDialer(ClientTls tls, ReconnectBackoff backoff, GatewayMetrics metrics, Duration connectTimeout) {
        this.tls = tls;
        this.backoff = backoff;
        this.metrics = metrics;
        this.connectTimeout = connectTimeout;
    }

    ReconnectBackoff backoff() {
        return backoff;
    }

    /**
     * Connects to {@code gateway} for {@code target}, with {@code session} behind TLS and the header.
     * The future gives the channel once the handshake is done and the header queued; its reads are on.
     */
    Future<Channel> dial(EventLoop loop, RemoteTarget target, Endpoint gateway, SessionProtocol protocol, ChannelHandler session) {
        Promise<Channel> dialed = loop.newPromise();
        String waiting = backoff.refusal(gateway, target.gatewayIdentity());
        if (waiting != null) {
            metrics.outboundFailure(target.link(), "backing_off");
            return dialed.setFailure(new GatewayUnreachableException(waiting, null));
        }
        TransportHeader header = new TransportHeader(target.service(), target.port(), protocol);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(IoTransport.of(loop).socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) throws SSLException {
                        SslHandler ssl = tls.newHandler(target.gatewayIdentity(), gateway, channel.alloc());
                        ssl.handshakeFuture().addListener(handshake -> {
                            if (handshake.isSuccess()) {
                                backoff.succeeded(gateway, target.gatewayIdentity());
                                dialed.trySuccess(channel);
                            } else {
                                failed(target, gateway, dialed, handshake.cause(), channel);
                            }
                        });
                        channel.pipeline().addLast(OutboundPipeline.TLS, ssl);
                        channel.pipeline().addLast(OutboundPipeline.HEADER, new TransportHeaderWriter(header, session));
                        PipelineTail.addTo(channel.pipeline());
                    }
                })
                .connect(gateway.host(), gateway.port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failed(target, gateway, dialed, f.cause(), connect.channel());
            }
        });
        return dialed;
    }

    private void failed(RemoteTarget target, Endpoint gateway, Promise<Channel> dialed, Throwable cause, Channel channel) {
        channel.close();
        if (dialed.isDone()) {
            return; // the connect and the handshake both report some failures; count them once
        }
        String reason = reason(cause);
        String why = describe(gateway, target, reason, cause);
        backoff.failed(gateway, target.gatewayIdentity(), why);
        metrics.outboundFailure(target.link(), reason);
        log.info(() -> why);
        dialed.tryFailure(new GatewayUnreachableException(why, cause));
    }

    /** The metric's reason tag. */
    static String reason(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "refused";
        }
        if (wrongIdentity(cause) != null) {
            return "wrong_identity";
        }
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            return "handshake_" + HandshakeFailure.classify(cause).tag();
        }
        return "closed";
    }

    private String describe(Endpoint gateway, RemoteTarget target, String reason, Throwable cause) {
        String who = "remote gateway " + gateway + " (link " + target.link() + ")";
        return switch (reason) {
            case "timeout" -> who + " did not accept a connection within " + connectTimeout.toMillis() + " ms";
            case "refused" -> who + " refused the connection";
            case "wrong_identity" -> who + " is not who the link says: " + wrongIdentity(cause).getMessage();
            default -> who + " failed: " + cause;
        };
    }

    /** The trust manager's verdict on a peer with another identity, when that is what failed. */
    private static CertificateException wrongIdentity(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException certificate && String.valueOf(t.getMessage()).contains("is not accepted")) {
                return certificate;
            }
        }
        return null;
    }
}
