package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The request-header timeout of an h2c client on an outbound listener: while no stream is open, the next
 * request's HEADERS must arrive within the timeout, counted from the connection's start or from the end
 * of its last stream; otherwise GOAWAY NO_ERROR, a close, and {@link Rejection#REQUEST_HEADER_TIMEOUT}.
 * A slowloris client trickling a HEADERS frame a byte at a time has no stream open while it does, so it
 * is closed like an idle one (the session holds its partial frame, and no stream opens). Streams in progress are
 * bounded by the request timeout instead. It learns of streams from the connection, and sits behind the session, so
 * that its close passes through the session, which sends the GOAWAY. Inbound sessions do not get it: their
 * peers are authenticated gateways that keep pooled connections open on purpose.
 */
final class Http2IdleGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(Http2IdleGuard.class.getName());

    private final long timeoutNanos;
    private final Http2Connection connection;
    private final RequestMetrics requests;
    private long lastActivity;
    private ScheduledFuture<?> check;

    Http2IdleGuard(Duration timeout, Http2Connection connection, RequestMetrics requests) {
        this.timeoutNanos = requireNonNull(timeout, "timeout").toNanos();
        this.connection = requireNonNull(connection, "connection");
        this.requests = requireNonNull(requests, "requests");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastActivity = System.nanoTime();
        connection.addListener(new Http2ConnectionAdapter() {
            // A stream opened or closed: the idle gap starts again from here.
            @Override
            public void onStreamActive(Http2Stream stream) {
                lastActivity = System.nanoTime();
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                lastActivity = System.nanoTime();
            }
        });
        schedule(ctx, timeoutNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (connection.numActiveStreams() > 0 || idle < timeoutNanos) {
            schedule(ctx, connection.numActiveStreams() > 0 ? timeoutNanos : timeoutNanos - idle);
            return;
        }
        requests.rejected(Rejection.REQUEST_HEADER_TIMEOUT);
        log.fine(() -> "closing " + ctx.channel() + ": no HTTP/2 request within " + Duration.ofNanos(timeoutNanos));
        ctx.close(); // the session in front sends GOAWAY NO_ERROR and closes: no stream is open
    }
}
