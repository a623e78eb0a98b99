package dev.isthmus.gateway.http;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One request proxied to one destination (a backend instance, or a peer gateway): the backend half of the proxy. Everything runs on the
 * inbound channel's event loop, which is also the backend connection's.
 *
 * <p>The request streams: its head and whatever body came with it wait only until the {@link BackendLease} is had
 * (a pooled connection, or a stream), then every piece is written on as it arrives. Backpressure both ways is
 * reading paused: the inbound side stops reading while the backend is not writable ({@link #wantsRequestContent}), and
 * the lease stops reading while the inbound side is not writable. On an HTTP/2 stream, not reading means no
 * WINDOW_UPDATE, so the sender's flow control does the rest.
 *
 * <p>Failures before the response starts become the gateway's own error: the destination's own status
 * when it cannot be reached, 502 when it reset or sent something malformed, 504 when no response
 * headers came in time; after the response starts, the inbound side is cut off. Once per exchange, a
 * request that cannot have had an effect goes out again on a new connection instead: one whose pooled
 * connection was found closed before anything was written, and a bodiless idempotent request whose reused
 * connection closed before any answer (the keep-alive race: the upstream closed it as the request left).
 * The request timer keeps running across the retry, so no request waits longer than the request timeout.
 */
final class ProxiedExchange extends RequestDeadlines.Entry implements Exchange, BackendLease.Listener {

    private final ClientSide inbound;
    private final HttpRequest request;
    private final Destination destination;
    private final HttpUpstream upstream;
    private final GatewayMetrics metrics;
    private final long timeoutNanos;
    /** What waits for the backend: the head, and body pieces that came before it. Most requests are one message. */
    private ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    private BackendLease backend;
    private boolean requestEnded;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean keepAlive;
    private boolean interimOpen;
    private boolean finished;
    private RequestDeadlines deadlines;
    /** The request head once more, for the one retry; {@code null} for a request that must not go out twice. */
    private HttpRequest replay;
    private long bodyBytes;
    private boolean answered;
    private boolean retried;

    ProxiedExchange(ClientSide inbound, HttpRequest request, Destination destination, HttpUpstream upstream,
            GatewayMetrics metrics, Duration requestTimeout) {
        this.inbound = inbound;
        this.request = request;
        this.destination = destination;
        this.upstream = upstream;
        this.metrics = metrics;
        this.timeoutNanos = requestTimeout.toNanos();
    }

    @Override
    public String destination() {
        return destination.label();
    }

    @Override
    public void start() {
        destination.started();
        pending.add(request);
        requestEnded = request instanceof LastHttpContent;
        if (request instanceof LastHttpContent whole) {
            HopByHopHeaders.stripTrailers(whole.trailingHeaders());
        }
        if (request instanceof HttpContent content) {
            bodyBytes += content.content().readableBytes();
        }
        replay = replayable(request);
        deadlines = RequestDeadlines.of(inbound.eventLoop());
        deadlines.arm(this, timeoutNanos);
        lease(false);
    }

    /**
     * Asks the pool for a channel. A pool with one at hand (an idle connection, a ready HTTP/2 connection) completes
     * the promise before it returns: then the exchange goes on at once, with no listener allocated, added and
     * notified. Pools complete promises on this event loop only, so nothing can complete it between the check and
     * the listener; a listener added to a completed promise would be called at once anyway.
     *
     * @param fresh on a connection made for it ({@link HttpUpstream#acquireFresh}), for the one retry
     */
    private void lease(boolean fresh) {
        Promise<BackendLease> leased = inbound.eventLoop().newPromise();
        if (fresh) {
            upstream.acquireFresh(leased);
        } else {
            upstream.acquire(leased);
        }
        if (leased.isDone()) {
            leased(leased);
        } else {
            leased.addListener(this::leased);
        }
    }

    /** Methods whose repetition has the effect of one request (RFC 9110 section 9.2.2). */
    private static boolean idempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.DELETE.equals(method);
    }

    /**
     * The head to send again on a retry. A plain head is not changed by being written, so it is the same
     * object. A bodiless full request is released by being written, so the replay is a plain head over the
     * same headers, which writing does not change either (an end follows it on a retry): a duplicate would
     * copy every header of every request for the rare retry.
     */
    private static HttpRequest replayable(HttpRequest request) {
        if (!idempotent(request.method())) {
            return null;
        }
        if (request instanceof FullHttpRequest full) {
            return full.content().isReadable() || !full.trailingHeaders().isEmpty() ? null
                    : new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        }
        return request;
    }

    private void leased(Future<? super BackendLease> lease) {
        if (finished) {
            if (lease.isSuccess()) {
                upstream.release((BackendLease) lease.getNow(), true); // nothing was written on it
            }
            return;
        }
        if (!lease.isSuccess()) {
            if (lease.cause() instanceof StaleConnectionException && !retried) {
                // Nothing was written: every request may go out again, body and all (it still waits in pending).
                retried = true;
                metrics.upstreamRetried("stale_connection");
                lease(true);
                return;
            }
            failBeforeResponse(destination.unreachableStatus(), destination.describe() + " is unreachable: "
                    + describe(lease.cause()));
            return;
        }
        backend = (BackendLease) lease.getNow();
        backend.attach(this);
        for (HttpObject msg; (msg = pending.poll()) != null; ) {
            backend.write(msg);
        }
        pending = null;
        requestSent = requestEnded;
        backend.flush();
        inbound.readingChanged();
    }

    @Override
    public void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (finished) {
            content.release(); // the response is over (or failed); the rest of the request is not needed
            return;
        }
        if (!responseStarted) {
            deadlines.arm(this, timeoutNanos); // the deadline counts from the last progress, so a long upload that keeps moving is not cut
        }
        requestEnded |= last;
        if (last) {
            HopByHopHeaders.stripTrailers(((LastHttpContent) content).trailingHeaders());
        }
        bodyBytes += content.content().readableBytes();
        if (backend == null) {
            pending.add(content);
            return;
        }
        backend.write(content);
        requestSent |= last;
    }

    @Override
    public boolean wantsRequestContent() {
        return finished || backend != null && backend.writable();
    }

    @Override
    public void inboundReadComplete() {
        if (backend != null && !finished) {
            backend.flush();
        }
    }

    @Override
    public void inboundWritable() {
        if (backend != null && !finished) {
            backend.reading(true);
        }
    }

    @Override
    public void inboundClosed() {
        // The client went away; that says nothing about the backend's health.
        finish(false, true);
    }

    @Override
    public void backendRead(HttpObject msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        answered = true;
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            backendFailed("sent a malformed response: " + cause.getMessage());
            return;
        }
        if (msg instanceof HttpResponse response) {
            head(response);
            return;
        }
        HttpContent content = (HttpContent) msg;
        if (interimOpen) {
            interimOpen = false; // the empty end an HTTP/1.1 decoder gives every 1xx response
            content.release();
            return;
        }
        if (content instanceof LastHttpContent end) {
            HopByHopHeaders.stripTrailers(end.trailingHeaders());
            finish(keepAlive && requestSent, true); // back to the pool before the next request may ask for it
        }
        inbound.respondContent(content);
    }

    private void head(HttpResponse response) {
        int code = response.status().code();
        if (code == 101) {
            ReferenceCountUtil.release(response);
            backendFailed("switched protocols, which the gateway does not relay (Upgrade is a hop-by-hop header)");
            return;
        }
        if (code < 200) {
            interim(response);
            return;
        }
        responseStarted = true;
        disarm();
        keepAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers());
        if (response instanceof LastHttpContent whole) {
            HopByHopHeaders.stripTrailers(whole.trailingHeaders());
            finish(keepAlive && requestSent, true);
        }
        inbound.respond(response);
    }

    /** Passes {@code 100 Continue} on, so a client that waits for it sends its body; other 1xx stop here. */
    private void interim(HttpResponse response) {
        interimOpen = !(response instanceof LastHttpContent) && !backend.multiplexed();
        boolean proceed = response.status().code() == 100;
        ReferenceCountUtil.release(response);
        if (proceed) {
            inbound.respondInterim(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    @Override
    public void backendReadComplete() {
        inbound.flush();
        if (!finished && !inbound.writable()) {
            backend.reading(false);
        }
    }

    @Override
    public void backendWritable() {
        inbound.readingChanged();
    }

    @Override
    public void backendClosed() {
        if (!finished && !retryOnFreshConnection()) {
            backendFailed(responseStarted ? "closed the connection in the middle of the response"
                    : "closed the connection before responding");
        }
    }

    /**
     * Sends the request once more on a new connection, when the one it went out on was a reused one that closed
     * before any answer, and the request could not have had an effect that a second one would repeat.
     */
    private boolean retryOnFreshConnection() {
        if (retried || answered || replay == null || !requestEnded || bodyBytes > 0 || !backend.reused()) {
            return false;
        }
        retried = true;
        metrics.upstreamRetried("closed_before_response");
        BackendLease dead = backend;
        dead.detach();
        backend = null;
        upstream.release(dead, false);
        requestSent = false;
        pending = new ArrayDeque<>(2);
        pending.add(replay);
        if (!(replay instanceof LastHttpContent)) {
            pending.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        replay = null; // pending owns it now
        lease(true);
        return true;
    }

    private void backendFailed(String what) {
        String reason = destination.describe() + " " + what;
        if (responseStarted) {
            finish(false, false);
            inbound.abort(reason);
        } else {
            failBeforeResponse(502, reason);
        }
    }

    private void failBeforeResponse(int status, String reason) {
        finish(false, false);
        metrics.rejected(Rejection.BACKEND_UNAVAILABLE);
        inbound.fail(status, reason);
    }

    /** No response headers within the request timeout of the request's last progress. */
    @Override
    void expired() {
        if (finished || responseStarted) {
            return;
        }
        failBeforeResponse(504, destination.describe() + " sent no response headers within "
                + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
    }

    /** Ends the exchange with the backend, once: the channel goes back (or is closed), the balancer hears the outcome. */
    private void finish(boolean reusable, boolean healthy) {
        if (finished) {
            return;
        }
        finished = true;
        disarm();
        replay = null; // the request itself or a plain head over its headers: nothing to release
        if (pending != null) {
            for (HttpObject msg; (msg = pending.poll()) != null; ) {
                ReferenceCountUtil.release(msg);
            }
        }
        destination.finished(healthy);
        if (backend != null) {
            backend.detach();
            backend.reading(true);
            upstream.release(backend, reusable);
        }
        inbound.readingChanged();
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connection timed out";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        return String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
    }
}
