package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.upstream.Relay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * An opaque outbound session: one upstream connection per client connection — mTLS with a transport
 * header without session protocol to a remote gateway, or plaintext to a local instance — then bytes
 * relayed both ways. The backend is picked by weight once, for the whole connection. While the upstream
 * connects, this handler holds what the client sends (and its half-close); a failure closes the client.
 */
final class OpaqueTunnel extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(OpaqueTunnel.class.getName());

    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private boolean inputEnded;

    private OpaqueTunnel(ByteBuf firstBytes, boolean inputEnded) {
        if (firstBytes != null) {
            pending.add(firstBytes);
        }
        this.inputEnded = inputEnded;
    }

    /** Replaces the detector of {@code ctx} and connects; {@code firstBytes} (may be null) belong to the tunnel now. */
    static void start(ChannelHandlerContext ctx, OutboundRoute route, ByteBuf firstBytes, boolean inputEnded, OutboundSessions sessions) {
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        OpaqueTunnel tunnel = new OpaqueTunnel(firstBytes, inputEnded);
        ctx.pipeline().replace(ctx.handler(), OutboundPipeline.SESSION, tunnel);
        Backend backend = sessions.choose(route);
        if (backend == null) {
            log.info(() -> "closing opaque client " + client.remoteAddress() + ": "
                    + BackendChoice.whyNone(route.name(), route.backends(), sessions.health()));
            client.close();
            return;
        }
        Relay toClient = new Relay(client, bytes -> {});
        Future<Channel> upstream;
        if (backend instanceof RemoteTarget remote) {
            upstream = sessions.dialOpaque(client.eventLoop(), remote, sessions.gatewayFor(remote), toClient);
        } else {
            upstream = sessions.connectLocal(client.eventLoop(), (ExportedService) backend, toClient);
        }
        upstream.addListener(f -> {
            if (f.isSuccess()) {
                tunnel.connected(client, (Channel) f.getNow());
            } else {
                log.info(() -> "closing opaque client " + client.remoteAddress() + " of " + route.name() + ": " + f.cause().getMessage());
                client.close();
            }
        });
    }

    /** The upstream is ready: what waited goes first, then the relay takes over both ways. */
    private void connected(Channel client, Channel upstream) {
        if (!client.isActive()) {
            upstream.close();
            return;
        }
        for (Object msg; (msg = pending.poll()) != null; ) {
            upstream.write(msg, upstream.voidPromise());
        }
        upstream.flush();
        client.pipeline().replace(this, OutboundPipeline.SESSION, new Relay(upstream, bytes -> {}));
        if (inputEnded) {
            client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        Relay.resumeReading(client);
        Relay.resumeReading(upstream);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pending.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    /** Whatever was not relayed (the tunnel failed, or the client left) must not leak. */
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
