package dev.isthmus.gateway.inbound;

import dev.isthmus.gateway.GatewayMetrics;
import dev.isthmus.gateway.GatewayMetrics.Rejection;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/** Closes a connection at once when the gateway already holds its limit, before any TLS work is spent on it. */
@Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private final int limit;
    private final AtomicInteger open = new AtomicInteger();
    private final GatewayMetrics metrics;

    public ConnectionLimiter(int limit, GatewayMetrics metrics) {
        if (limit < 1) {
            throw new IllegalArgumentException("connection limit: " + limit + " (expected: at least 1)");
        }
        this.limit = limit;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            metrics.rejected(Rejection.CONNECTION_LIMIT);
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> {
            open.decrementAndGet();
            metrics.connectionClosed();
        });
        metrics.connectionOpened();
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
