package dev.isthmus.gateway.inbound;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection on which nothing moved, either way, for the idle timeout. A read batch ending
 * ({@code channelReadComplete}) is movement in, a flush movement out.
 *
 * <p>Netty's {@link io.netty.handler.timeout.IdleStateHandler} does this by watching each write's completion: it
 * turns every write's void promise into a real one and adds a listener to it, per HTTP/2 frame on a busy session.
 * This handler overrides neither {@code write} nor {@code channelRead}, so Netty passes both by it, and it takes
 * the time once per read batch and once per flush. A flush that the peer never drains leaves the connection idle
 * from then on, so a stalled peer is still closed a timeout after the last flush.
 */
final class IdleClose extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private Ticker ticker;
    private long lastMovedNanos;
    private Future<?> check;
    private boolean stopped;

    IdleClose(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout: " + timeout + " (expected: > 0)");
        }
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        moved();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        moved();
        ctx.flush();
    }

    private void moved() {
        if (ticker != null) {
            lastMovedNanos = ticker.nanoTime();
        }
    }

    private void start(ChannelHandlerContext ctx) {
        if (ticker != null || stopped) {
            return;
        }
        ticker = ctx.executor().ticker();
        lastMovedNanos = ticker.nanoTime();
        check = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (stopped || !ctx.channel().isOpen()) {
            return;
        }
        long idleNanos = ticker.nanoTime() - lastMovedNanos;
        if (idleNanos >= timeoutNanos) {
            ctx.close();
        } else {
            check = ctx.executor().schedule(() -> check(ctx), timeoutNanos - idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        stopped = true;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
