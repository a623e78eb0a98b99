package dev.isthmus.gateway.limit;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes a connection at once when its listeners already hold their limit, before any TLS or protocol
 * work is spent on it. One instance is one limit: the inbound listener has one, the outbound listeners
 * share another, each counted in its own meters.
 */
@Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private final int limit;
    private final AtomicInteger open = new AtomicInteger();
    private final Runnable opened;
    private final Runnable closed;
    private final Runnable refused;

    /** The inbound listener's limit, counted in the inbound connection meters. */
    public ConnectionLimiter(int limit, GatewayMetrics metrics) {
        this(limit, metrics::connectionOpened, metrics::connectionClosed, () -> metrics.rejected(Rejection.CONNECTION_LIMIT));
    }

    private ConnectionLimiter(int limit, Runnable opened, Runnable closed, Runnable refused) {
        if (limit < 1) {
            throw new IllegalArgumentException("connection limit: " + limit + " (expected: at least 1)");
        }
        this.limit = limit;
        this.opened = opened;
        this.closed = closed;
        this.refused = refused;
    }

    /** The limit all outbound listeners share, counted in the {@code isthmus.gateway.outbound.*} meters. */
    public static ConnectionLimiter outbound(int limit, GatewayMetrics metrics) {
        return new ConnectionLimiter(limit, metrics::outboundConnectionOpened, metrics::outboundConnectionClosed,
                () -> metrics.outboundRejected(Rejection.CONNECTION_LIMIT));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            refused.run();
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> {
            open.decrementAndGet();
            closed.run();
        });
        opened.run();
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
