package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.upstream.PendingRelay;
import dev.isthmus.gateway.upstream.Relay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import java.util.logging.Logger;

/**
 * An opaque outbound session: one upstream connection per client connection — mTLS with a transport
 * header without session protocol to a remote gateway, or plaintext to a local instance — then bytes
 * relayed both ways. The backend is picked by weight once, for the whole connection. While the upstream
 * connects, a {@link PendingRelay} holds what the client sends (and its half-close); a failure closes the client.
 */
final class OpaqueTunnel {

    private static final Logger log = Logger.getLogger(OpaqueTunnel.class.getName());

    private OpaqueTunnel() {}

    /** Replaces the detector of {@code ctx} and connects; {@code firstBytes} (may be null) belong to the tunnel now. */
    static void start(ChannelHandlerContext ctx, OutboundRoute route, ByteBuf firstBytes, boolean inputEnded, OutboundSessions sessions) {
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        PendingRelay pending = new PendingRelay(firstBytes, inputEnded);
        ctx.pipeline().replace(ctx.handler(), OutboundPipeline.SESSION, pending);
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
                pending.connected(client, (Channel) f.getNow(), bytes -> {});
            } else {
                log.info(() -> "closing opaque client " + client.remoteAddress() + " of " + route.name() + ": " + f.cause().getMessage());
                client.close();
            }
        });
    }
}
