package dev.isthmus.gateway.http;

import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Sits between the HTTP/1.1 server codec and the proxy of an HTTP/1 session, and keeps two kinds of client
 * away from the backends.
 *
 * <p>A slow one: a request head must arrive whole within the request-header timeout, counted from the start
 * of the session, or from the end of the previous exchange (the later of its request and its response), so
 * the keep-alive gap between requests is bounded too. A client that sent part of a head, or nothing at all on
 * a new session, gets {@code 408} (when it sent something) and the connection closes; both are counted as
 * {@link Rejection#REQUEST_HEADER_TIMEOUT}. A keep-alive connection that merely stays quiet after an
 * exchange is closed without a word, as RFC 9112 section 9.5 lets a server do.
 *
 * <p>An ambiguous one: a head the codec parsed but whose meaning proxies and backends may disagree on is
 * marked failed with a {@link RefusedRequestException}, which {@link HttpProxyHandler} answers: a version
 * other than HTTP/1.0 and HTTP/1.1 with {@code 505} (an {@code HTTP/2.0} request line is not HTTP/2), and
 * on HTTP/1.1 no {@code Host}, or more than one, with {@code 400} (RFC 9112 section 3.2). Heads the codec
 * itself refused are counted here too; each is a {@link Rejection#MALFORMED_REQUEST}.
 *
 * <p>A head with neither {@code Content-Length} (or one of 0) nor {@code Transfer-Encoding} has no body (RFC
 * 9112 section 6.3); the codec still hands it on as a head and an empty end. It goes on as one complete
 * request instead, so that it stays bodiless on the way: no chunked body towards an HTTP/1.1 backend, and
 * HEADERS that end the stream towards an HTTP/2 one (whose far side would otherwise mark it chunked again).
 */
final class Http1RequestGuard extends ChannelDuplexHandler {

    private static final Logger log = Logger.getLogger(Http1RequestGuard.class.getName());

    private final long timeoutNanos;
    private final RequestMetrics metrics;
    /**
     * The check of the request-header deadline, scheduled at most once per timeout rather than once per request: a
     * request that arrives only clears {@link #waiting}, and a check that finds the deadline moved on schedules itself
     * for the new one. A timer scheduled and cancelled per request cost the event loop more than the check does.
     */
    private ScheduledFuture<?> timer;
    /** Waiting for a request head, since {@link #deadlineNanos} minus the timeout. */
    private boolean waiting;
    private long deadlineNanos;
    /** A head arrived and its last content has not. */
    private boolean requestOpen;
    /** Heads whose final response has not been written yet. */
    private int unanswered;
    private boolean firstRequest = true;
    private boolean bytesWhileWaiting;
    /** The codec's empty end of a head that went on as a complete request: not to be passed on again. */
    private boolean dropEmptyEnd;
    /** A head was refused (by the codec or here): its answer is the connection's last, and nothing after it counts. */
    private boolean refused;

    Http1RequestGuard(Duration timeout, RequestMetrics metrics) {
        this.timeoutNanos = timeout.toNanos();
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        armIfIdle(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the connection ends with the answer to the refused head
            return;
        }
        if (dropEmptyEnd) {
            dropEmptyEnd = false;
            if (msg instanceof LastHttpContent end && end.content().readableBytes() == 0 && end.trailingHeaders().isEmpty()
                    && end.decoderResult().isSuccess()) {
                end.release();
                return;
            }
        }
        if (msg instanceof HttpRequest request) {
            waiting = false;
            firstRequest = false;
            unanswered++;
            check(request);
            if (!(request instanceof LastHttpContent) && request.decoderResult().isSuccess() && bodiless(request)) {
                msg = whole(request);
                dropEmptyEnd = true;
            }
            requestOpen = !(msg instanceof LastHttpContent);
        } else if (msg instanceof LastHttpContent) {
            requestOpen = false;
            armIfIdle(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The handler that goes before the codec and tells this guard of bytes that arrive while it waits for a
     * head: they make the difference between a slow client (408) and a quiet one.
     */
    ChannelHandler bytesIn() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (waiting && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    bytesWhileWaiting = true;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse response && response.status().code() < 200;
        if (msg instanceof LastHttpContent && !interim) {
            unanswered = Math.max(0, unanswered - 1);
            armIfIdle(ctx);
        }
        ctx.write(msg, promise);
    }

    private void check(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            refused = true;
            metrics.rejected(Rejection.MALFORMED_REQUEST);
            return;
        }
        String problem = null;
        int status = 400;
        HttpVersion version = request.protocolVersion();
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (!HttpVersion.HTTP_1_1.equals(version) && !HttpVersion.HTTP_1_0.equals(version)) {
            status = 505;
            problem = "HTTP version: " + version.text() + " (expected: HTTP/1.1 or HTTP/1.0)";
        } else if (hosts.size() > 1) {
            problem = "Host: " + hosts.size() + " headers (expected: exactly one, RFC 9112 section 3.2)";
        } else if (hosts.isEmpty() && HttpVersion.HTTP_1_1.equals(version)) {
            problem = "Host: missing (expected: exactly one in an HTTP/1.1 request, RFC 9112 section 3.2)";
        }
        if (problem != null) {
            request.setDecoderResult(DecoderResult.failure(new RefusedRequestException(status, problem)));
            refused = true;
            metrics.rejected(Rejection.MALFORMED_REQUEST);
        }
    }

    private static boolean bodiless(HttpRequest request) {
        HttpHeaders headers = request.headers();
        return !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && (!headers.contains(HttpHeaderNames.CONTENT_LENGTH) || HttpUtil.getContentLength(request, -1L) == 0);
    }

    /** A bodiless request as one message; it can have no trailers, so it shares Netty's read-only empty ones. */
    private static FullHttpRequest whole(HttpRequest head) {
        FullHttpRequest request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER,
                head.headers(), EmptyHttpHeaders.INSTANCE);
        request.setDecoderResult(head.decoderResult());
        return request;
    }

    private void armIfIdle(ChannelHandlerContext ctx) {
        if (unanswered > 0 || requestOpen || waiting || !ctx.channel().isActive()) {
            return;
        }
        bytesWhileWaiting = false;
        waiting = true;
        deadlineNanos = ctx.executor().ticker().nanoTime() + timeoutNanos;
        if (timer == null) {
            timer = ctx.executor().schedule(() -> deadlineReached(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The scheduled check: it may find a request came meanwhile, or that the wait began later than it was set for. */
    private void deadlineReached(ChannelHandlerContext ctx) {
        timer = null;
        if (!waiting || !ctx.channel().isActive()) {
            return;
        }
        long left = deadlineNanos - ctx.executor().ticker().nanoTime();
        if (left > 0) {
            timer = ctx.executor().schedule(() -> deadlineReached(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        waiting = false;
        timedOut(ctx);
    }

    private void timedOut(ChannelHandlerContext ctx) {
        String waited = Duration.ofNanos(timeoutNanos).toMillis() + " ms";
        if (!bytesWhileWaiting && !firstRequest) {
            log.fine(() -> "closing idle keep-alive connection " + ctx.channel() + " after " + waited);
            ctx.close();
            return;
        }
        metrics.rejected(Rejection.REQUEST_HEADER_TIMEOUT);
        if (!bytesWhileWaiting) {
            log.fine(() -> "closing " + ctx.channel() + ": no request within " + waited);
            ctx.close();
            return;
        }
        log.fine(() -> "answering 408 on " + ctx.channel() + ": the request head did not arrive within " + waited);
        FullHttpResponse response = ErrorResponses.of(408, "request head incomplete after " + waited
                + " (expected: the whole head within the request-header timeout)", ctx.alloc());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void stop() {
        waiting = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
