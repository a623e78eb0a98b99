package dev.isthmus.gateway.inbound;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.pipeline.PeerAttributes;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.tls.HandshakeFailure;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.tls.VerifiedLeaf;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.tls.PeerIdentities;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.X509Certificate;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Decides what a finished handshake means. A failure is classified and counted, then the connection
 * closes. A success names the peer by its SPIFFE identity; the policy then decides whether that peer
 * may go on, and only then does this handler leave the pipeline.
 *
 * <p>Until it leaves, nothing read passes it. A TLS 1.3 client sends its first application data right
 * behind its Finished message, so the transport header can be decrypted in the same read that completes
 * the handshake; and closing a TLS connection first flushes close_notify, so a refused connection is
 * still active for a moment. Without this gate, that header would reach the router of a peer the policy
 * just refused.
 */
public final class HandshakeOutcome extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(HandshakeOutcome.class.getName());

    private final AuthorizationPolicy policy;
    private final GatewayMetrics metrics;

    public HandshakeOutcome(AuthorizationPolicy policy, GatewayMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof SslHandshakeCompletionEvent completion)) {
            super.userEventTriggered(ctx, event);
            return;
        }
        if (!completion.isSuccess()) {
            HandshakeFailure failure = HandshakeFailure.classify(completion.cause());
            metrics.handshakeFailed(failure);
            log.log(Level.FINE, () -> "handshake from " + ctx.channel().remoteAddress() + " failed (" + failure.tag() + "): "
                    + completion.cause());
            ctx.close();
            return;
        }
        String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
        if (!TlsContexts.ALPN_TRANSPORT.equals(protocol)) {
            // The gate before TLS refuses such hellos with an alert; this catches one it let through as malformed.
            metrics.handshakeFailed(HandshakeFailure.NO_APPLICATION_PROTOCOL);
            log.info(() -> "refused " + ctx.channel().remoteAddress() + ": ALPN " + protocol + " (expected: "
                    + TlsContexts.ALPN_TRANSPORT + ")");
            ctx.close();
            return;
        }
        SpiffeId peer;
        try {
            peer = PeerIdentities.of(leaf(ctx));
        } catch (IllegalArgumentException | SSLPeerUnverifiedException e) {
            reject(ctx, "has no usable identity: " + e.getMessage());
            return;
        }
        if (!policy.allows(peer)) {
            reject(ctx, peer + " is not allowed by the policy (" + policy + ")");
            return;
        }
        ctx.channel().attr(PeerAttributes.PEER).set(peer);
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // not (or not yet) admitted: see the class comment
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Handshake errors also arrive here; the completion event above counts them once.
        if (!ctx.channel().hasAttr(PeerAttributes.PEER) && ctx.pipeline().get(SslHandler.class) != null
                && !ctx.pipeline().get(SslHandler.class).handshakeFuture().isDone()) {
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        metrics.rejected(Rejection.UNAUTHORIZED);
        log.info(() -> "refused " + ctx.channel().remoteAddress() + ": the peer " + why);
        ctx.close();
    }

    /** The leaf as the trust manager parsed it: the session's own copy would be parsed a second time. */
    private static X509Certificate leaf(ChannelHandlerContext ctx) throws SSLPeerUnverifiedException {
        return VerifiedLeaf.take(ctx.pipeline().get(SslHandler.class).engine().getSession());
    }
}
