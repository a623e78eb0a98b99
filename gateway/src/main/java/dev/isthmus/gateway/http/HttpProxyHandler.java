package dev.isthmus.gateway.http;

import dev.isthmus.gateway.pipeline.Drain;
import dev.isthmus.gateway.upstream.Relay;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The inbound half of the HTTP proxy on an HTTP/1.1 connection: it sits behind the HTTP/1.1 server codec and sees
 * requests as Netty {@link HttpObject}s. (An HTTP/2 connection's streams are {@link Http2ServerStream}s, the same
 * {@link ClientSide} to the exchanges.)
 *
 * <p>Requests are answered one at a time, in order: whatever arrives for the next request while one is
 * in flight (pipelining) waits in a queue, and reading pauses until it is its turn. Reading also
 * pauses while the backend cannot take more of the request body; the {@link Exchange} says when.
 * The handler owns keep-alive: it ends the connection after a response when the client
 * asked for that, when the gateway drains, or when only closing can end the response.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements ClientSide {

    private static final Logger log = Logger.getLogger(HttpProxyHandler.class.getName());

    private final Responder responder;
    private final RequestMetrics metrics;
    /** Small: a message seldom waits here. */
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private RequestMetrics.Request inFlight;
    private Exchange current;
    private boolean requestOpen;
    private boolean responseOpen;
    private boolean responseStarted;
    private int status;
    private String destination;
    private long startNanos;
    private HttpMethod method;
    private HttpVersion version;
    private boolean closeAfterResponse;
    private boolean dispatching;
    private boolean closed;

    HttpProxyHandler(Responder responder, RequestMetrics metrics) {
        this.responder = responder;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.inFlight = new RequestMetrics.Request(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        queued.add(object);
        dispatchQueued();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.inboundReadComplete();
        }
        updateReading();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && current != null) {
            current.inboundWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == Drain.EVENT) {
            finishAndClose();
            return;
        }
        if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
            if (requestOpen) {
                // The codec completed whatever it could before this event; a body still open can never end.
                abort("the client closed its side in the middle of a request body");
            } else {
                finishAndClose(); // the client sent all it will send; it still gets the response to it
            }
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releaseQueued();
        Exchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.inboundClosed();
        }
        if (responseOpen) {
            responseOpen = false;
            metrics.finished(RequestMetrics.CLIENT_CLOSED, destination, startNanos, inFlight);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.log(Level.FINE, "closing " + ctx.channel() + " after an error", cause);
        ctx.close();
    }

    /** Takes requests from the queue while it is their turn; re-entrant calls leave the work to the outer one. */
    private void dispatchQueued() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (!closed && (current == null || requestOpen) && !queued.isEmpty()) {
                dispatch(queued.poll());
            }
        } finally {
            dispatching = false;
        }
        updateReading();
    }

    private void dispatch(HttpObject msg) {
        if (current == null) {
            if (msg instanceof HttpRequest request) {
                begin(request);
            } else {
                ReferenceCountUtil.release(msg); // the rest of a request whose connection is closing
            }
            return;
        }
        if (!(msg instanceof HttpContent content)) {
            ReferenceCountUtil.release(msg);
            abort("a request head arrived inside a request body");
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A body cut short must not reach the backend as a whole one: no final chunk, no end of stream.
            Throwable cause = content.decoderResult().cause();
            content.release();
            abort("the request body broke off: " + cause);
            return;
        }
        requestOpen = !(content instanceof LastHttpContent);
        metrics.received(inFlight, content.content().readableBytes());
        current.requestContent(content);
        completeIfDone();
    }

    private void begin(HttpRequest request) {
        startNanos = System.nanoTime();
        inFlight.begin(request);
        method = request.method();
        version = request.protocolVersion();
        responseOpen = true;
        responseStarted = false;
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            // The codec discards everything after a bad request, so this is the connection's last answer.
            requestOpen = false;
            closeAfterResponse = true;
            current = new LocalReply(this, request, statusFor(decoded.cause()), reasonFor(decoded.cause()));
        } else {
            requestOpen = !(request instanceof LastHttpContent);
            closeAfterResponse |= !HttpUtil.isKeepAlive(request);
            if (request instanceof LastHttpContent full) {
                metrics.received(inFlight, full.content().readableBytes());
            }
            current = responder.exchange(this, request);
        }
        destination = current.destination();
        current.start();
    }

    private static int statusFor(Throwable cause) {
        if (cause instanceof RefusedRequestException refused) {
            return refused.status();
        }
        return cause instanceof TooLongHttpHeaderException ? 431 : 400;
    }

    private static String reasonFor(Throwable cause) {
        if (cause instanceof RefusedRequestException) {
            return cause.getMessage();
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return "request headers are too large (expected: at most " + HttpSessionInstaller.MAX_HEADER_SIZE + " bytes)";
        }
        if (cause instanceof TooLongHttpLineException) {
            return "request line is too long (expected: at most " + HttpSessionInstaller.MAX_INITIAL_LINE + " bytes)";
        }
        return "malformed request: " + cause.getMessage();
    }

    /** The head of the final response; its content follows through {@link #respondContent}, unless it is a full one. */
    @Override
    public void respond(HttpResponse head) {
        if (closed) {
            ReferenceCountUtil.release(head);
            return;
        }
        status = head.status().code();
        responseStarted = true;
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!MessageFraming.response(head, method, !HttpVersion.HTTP_1_0.equals(version))) {
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (HttpVersion.HTTP_1_0.equals(version)) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        boolean last = head instanceof LastHttpContent;
        if (last) {
            metrics.sent(inFlight, ((LastHttpContent) head).content().readableBytes());
        }
        ctx.write(head, ctx.voidPromise());
        if (last) {
            responseEnded();
        }
    }

    /** A {@code 100 Continue}, which the client may wait for before it sends the body. */
    @Override
    public void respondInterim(FullHttpResponse interim) {
        if (closed) {
            interim.release();
            return;
        }
        ctx.writeAndFlush(interim, ctx.voidPromise());
    }

    @Override
    public void respondContent(HttpContent content) {
        if (closed) {
            content.release();
            return;
        }
        metrics.sent(inFlight, content.content().readableBytes());
        ctx.write(content, ctx.voidPromise());
        if (content instanceof LastHttpContent) {
            responseEnded();
        }
    }

    /** Answers with an error of the gateway's own, or, when the response already started, cuts it off. */
    @Override
    public void fail(int status, String reason) {
        if (responseStarted) {
            abort(reason);
            return;
        }
        log.fine(() -> "answering " + status + " on " + ctx.channel() + ": " + reason);
        respond(ErrorResponses.of(status, reason, ctx.alloc()));
    }

    /** Ends the inbound side abruptly: the connection closes. Used when a response cannot be completed or a request body broke off. */
    @Override
    public void abort(String reason) {
        log.fine(() -> "aborting " + ctx.channel() + ": " + reason);
        if (responseOpen) {
            responseOpen = false;
            metrics.finished(responseStarted ? 502 : RequestMetrics.CLIENT_CLOSED, destination, startNanos, inFlight);
        }
        ctx.close();
    }

    @Override
    public void flush() {
        if (!closed) {
            ctx.flush();
        }
    }

    @Override
    public boolean writable() {
        return ctx.channel().isWritable();
    }

    /** An exchange's appetite for request body changed. */
    @Override
    public void readingChanged() {
        updateReading();
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    private void responseEnded() {
        responseOpen = false;
        metrics.finished(status, destination, startNanos, inFlight);
        ctx.flush();
        if (closeAfterResponse) {
            // Whatever is left of the request is not worth reading: the connection ends with this response.
            closeWhenFlushed();
            return;
        }
        completeIfDone();
        if (current != null) {
            // A pipelined request taken from the queue arrived in an earlier read: no read-complete will come to
            // flush what it wrote to the backend, and a body left unflushed there waits forever.
            current.inboundReadComplete();
        }
    }

    private void completeIfDone() {
        if (current == null || requestOpen || responseOpen) {
            return;
        }
        current = null;
        dispatchQueued();
    }

    /** Answer what is in flight with {@code Connection: close}, then close; close now if nothing is. */
    private void finishAndClose() {
        closeAfterResponse = true;
        if (!responseOpen) {
            closeWhenFlushed();
        }
    }

    private void closeWhenFlushed() {
        closed = true;
        releaseQueued();
        Exchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.inboundClosed();
        }
        Relay.closeOnFlush(ctx.channel());
    }

    private void updateReading() {
        if (closed) {
            return;
        }
        boolean read = queued.isEmpty() && (current == null || !requestOpen || current.wantsRequestContent());
        AutoRead.set(ctx.channel(), read);
    }

    private void releaseQueued() {
        for (HttpObject msg; (msg = queued.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }
}
