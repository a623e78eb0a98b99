package dev.isthmus.gateway.inbound;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.pipeline.Drain;
import dev.isthmus.gateway.pipeline.PeerAttributes;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.transport.ProbeTarget;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.transport.TransportHeaderException;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Routes a connection by its transport header, against the route table of the moment: a name outside
 * this cluster's {@code svc.<cluster-domain>}, or a service that is not exported, is refused (404 for
 * HTTP, close for opaque sessions); otherwise the session's own handlers take over. The reserved
 * {@link ProbeTarget} is answered by the gateway itself, over HTTP only. A peer that sends no header in
 * time is closed.
 */
public final class SessionRouter extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(SessionRouter.class.getName());

    private final Supplier<RouteTable> routes;
    private final Upstreams upstreams;
    private final HttpSessions http;
    private final GatewayMetrics metrics;
    private final Duration headerTimeout;
    private ScheduledFuture<?> timeout;
    /** A header arrived, or the connection was given up on: either way, counted once. */
    private boolean routed;

    public SessionRouter(Supplier<RouteTable> routes, Upstreams upstreams, HttpSessions http, GatewayMetrics metrics,
            Duration headerTimeout) {
        this.routes = requireNonNull(routes, "routes");
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.http = requireNonNull(http, "http");
        this.metrics = requireNonNull(metrics, "metrics");
        this.headerTimeout = requireNonNull(headerTimeout, "headerTimeout");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (!routed && ctx.channel().isActive()) {
                routed = true;
                if (ctx.channel().hasAttr(PeerAttributes.PEER)) {
                    metrics.rejected(Rejection.NO_HEADER);
                }
                log.fine(() -> "closing " + ctx.channel().remoteAddress() + ": no transport header within " + headerTimeout);
                ctx.close();
            }
        }, headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    /** A connection still waiting for its header has nothing in flight: a drain closes it at once. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == Drain.EVENT && !routed) {
            routed = true;
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!routed && ctx.channel().hasAttr(PeerAttributes.PEER)) {
            metrics.rejected(Rejection.NO_HEADER);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof TransportHeader header) || routed || !ctx.channel().hasAttr(PeerAttributes.PEER)) {
            // Nothing but a header can arrive before routing, and only from an admitted peer (HandshakeOutcome).
            ReferenceCountUtil.release(msg);
            return;
        }
        routed = true;
        timeout.cancel(false);
        if (ProbeTarget.matches(header)) {
            if (header.protocol() == SessionProtocol.OPAQUE) {
                refuse(ctx, header, Rejection.NOT_EXPORTED, header.target() + " answers HTTP sessions only");
            } else {
                http.answerProbe(ctx, header);
            }
            return;
        }
        RouteTable table = routes.get();
        if (!table.isLocalServiceName(header.name())) {
            refuse(ctx, header, Rejection.OUTSIDE_DOMAIN, header.name() + " is not a service of this cluster (expected "
                    + "<service>.<namespace>.svc." + table.clusterDomain() + ")");
            return;
        }
        ExportedService service = table.exported(header.name(), header.port());
        if (service == null) {
            refuse(ctx, header, Rejection.NOT_EXPORTED, header.target() + " is not exported");
            return;
        }
        if (header.protocol() == SessionProtocol.OPAQUE) {
            OpaqueSession.start(ctx, service, upstreams, metrics);
        } else {
            http.proxy(ctx, header, service, ctx.channel().attr(PeerAttributes.PEER).get());
        }
    }

    private void refuse(ChannelHandlerContext ctx, TransportHeader header, Rejection rejection, String reason) {
        metrics.rejected(rejection);
        log.fine(() -> "refusing " + ctx.channel().attr(PeerAttributes.PEER).get() + ": " + reason);
        if (header.protocol() == SessionProtocol.OPAQUE) {
            ctx.close();
        } else {
            http.refuse(ctx, header, 404, reason);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TransportHeaderException) {
            metrics.rejected(Rejection.BAD_HEADER);
            log.fine(() -> "closing " + ctx.channel().remoteAddress() + ": " + cause.getMessage());
        } else {
            log.fine(() -> "closing " + ctx.channel().remoteAddress() + ": " + cause);
        }
        ctx.close();
    }
}
