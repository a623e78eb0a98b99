package dev.isthmus.gateway.inbound;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.upstream.PendingRelay;
import dev.isthmus.gateway.upstream.Relay;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import java.util.logging.Logger;

/**
 * An opaque session: one backend connection per gateway connection, and bytes relayed both ways.
 * The peer's reads pause while the backend connects; what came with the header (and a half-close, if
 * the peer already sent one) waits in a {@link PendingRelay} until then.
 */
final class OpaqueSession {

    private static final Logger log = Logger.getLogger(OpaqueSession.class.getName());

    private OpaqueSession() {}

    static void start(ChannelHandlerContext ctx, ExportedService service, Upstreams upstreams, GatewayMetrics metrics) {
        Channel inbound = ctx.channel();
        Endpoint endpoint = upstreams.balancer().pick(service.readyEndpoints());
        if (endpoint == null) {
            metrics.rejected(Rejection.NO_ENDPOINTS);
            log.info(() -> "closing opaque session to " + service.target() + ": no ready endpoints");
            ctx.close();
            return;
        }
        inbound.config().setAutoRead(false);
        PendingRelay pending = new PendingRelay();
        ctx.pipeline().replace(ctx.handler(), InboundPipeline.SESSION, pending);
        upstreams.balancer().started(endpoint);
        ChannelFuture connect = upstreams.connect(inbound.eventLoop(), endpoint, new Relay(inbound, sent -> metrics.bytes(0, sent)));
        connect.addListener(future -> {
            upstreams.balancer().finished(endpoint, future.isSuccess());
            Channel backend = connect.channel();
            if (!future.isSuccess()) {
                metrics.rejected(Rejection.BACKEND_UNAVAILABLE);
                log.info(() -> "closing opaque session to " + service.target() + ": backend " + endpoint + " unreachable: "
                        + future.cause());
                inbound.close();
                return;
            }
            pending.connected(inbound, backend, received -> metrics.bytes(received, 0));
        });
    }
}
