package dev.isthmus.gateway.inbound;

import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.limit.ConnectionLimiter;
import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.ApplicationProtocolGate;
import dev.isthmus.gateway.tls.HandshakeFailure;
import dev.isthmus.gateway.tls.ServerTls;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.TransportHeaderDecoder;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import java.util.function.Supplier;

/** Builds the inbound pipeline of {@link InboundPipeline}, one named step at a time. */
public final class InboundInitializer extends ChannelInitializer<Channel> {

    private final ConnectionLimiter limiter;
    private final ServerTls tls;
    private final AuthorizationPolicy policy;
    private final Supplier<RouteTable> routes;
    private final Upstreams upstreams;
    private final HttpSessions http;
    private final GatewayMetrics metrics;
    private final Duration idleTimeout;
    private final Duration headerTimeout;

    public InboundInitializer(ConnectionLimiter limiter, ServerTls tls, AuthorizationPolicy policy, Supplier<RouteTable> routes,
            Upstreams upstreams, HttpSessions http, GatewayMetrics metrics, Duration idleTimeout, Duration headerTimeout) {
        this.limiter = limiter;
        this.tls = tls;
        this.policy = policy;
        this.routes = routes;
        this.upstreams = upstreams;
        this.http = http;
        this.metrics = metrics;
        this.idleTimeout = idleTimeout;
        this.headerTimeout = headerTimeout;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(InboundPipeline.LIMIT, limiter);
        pipeline.addLast(InboundPipeline.ALPN, new ApplicationProtocolGate(TlsContexts.ALPN_TRANSPORT,
                () -> metrics.handshakeFailed(HandshakeFailure.NO_APPLICATION_PROTOCOL)));
        pipeline.addLast(InboundPipeline.TLS, tls.newHandler(channel.alloc()));
        pipeline.addLast(InboundPipeline.HANDSHAKE, new HandshakeOutcome(policy, metrics));
        pipeline.addLast(InboundPipeline.IDLE, new IdleClose(idleTimeout));
        pipeline.addLast(InboundPipeline.HEADER, new TransportHeaderDecoder());
        pipeline.addLast(InboundPipeline.SESSION, new SessionRouter(routes, upstreams, http, metrics, headerTimeout));
        PipelineTail.addTo(pipeline);
    }
}
