package dev.isthmus.gateway.inbound;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.upstream.Relay;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * An opaque session: one backend connection per gateway connection, and bytes relayed both ways.
 * The peer's reads pause while the backend connects; what came with the header (and a half-close, if
 * the peer already sent one) waits until then.
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
        Waiting waiting = new Waiting();
        ctx.pipeline().replace(ctx.handler(), InboundPipeline.SESSION, waiting);
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
            if (!inbound.isActive()) {
                backend.close();
                return;
            }
            waiting.replayTo(backend);
            inbound.pipeline().replace(InboundPipeline.SESSION, InboundPipeline.SESSION,
                    new Relay(backend, received -> metrics.bytes(received, 0)));
            if (waiting.inputEnded != null) {
                inbound.pipeline().fireUserEventTriggered(waiting.inputEnded);
            }
            Relay.resumeReading(inbound);
            Relay.resumeReading(backend);
        });
    }

    /** Holds what arrives between the header and the backend's connection. */
    private static final class Waiting extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Object> pending = new ArrayDeque<>();
        Object inputEnded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            pending.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
                inputEnded = event;
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        void replayTo(Channel backend) {
            for (Object msg; (msg = pending.poll()) != null; ) {
                backend.write(msg, backend.voidPromise());
            }
            backend.flush();
        }

        /** Whatever was not replayed (the session failed) must not leak. */
        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            for (Object msg; (msg = pending.poll()) != null; ) {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            handlerRemoved(ctx);
            ctx.fireChannelInactive();
        }
    }
}
