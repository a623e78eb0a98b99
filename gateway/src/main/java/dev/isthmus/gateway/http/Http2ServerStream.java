package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Logger;

/**
 * One request's stream of an {@link Http2ServerSession}, and the {@link ClientSide} its {@link Exchange} answers through.
 * A stream carries one request, so there is no queue and no keep-alive here: the exchange gets the request's pieces as
 * they arrive, and its response leaves as frames of the stream. It ends once, when the stream closes (both ways done,
 * reset by either side, or the connection gone); an exchange still open then hears that the client went away.
 *
 * <p>While the exchange does not want more of the request body, what arrives is still handed to it (it holds it, as it
 * holds a body that comes before its backend connection), but the client gets no credit for it: it stops within the
 * stream's window, 64 KiB, until the exchange wants more. All of it runs on the connection's event loop.
 */
final class Http2ServerStream extends Http2FrameStream implements ClientSide {

    private static final Logger log = Logger.getLogger(Http2ServerStream.class.getName());

    private final Http2ServerSession session;
    private final RequestMetrics metrics;
    private final RequestMetrics.Request inFlight;
    /** Null before the request and once the exchange is over, both ways. */
    private Exchange current;
    private boolean requestOpen;
    private boolean responseOpen;
    private boolean responseStarted;
    private int status;
    private String destination;
    private long startNanos;

    Http2ServerStream(Http2ServerSession session, Http2Stream stream, RequestMetrics metrics) {
        super(session);
        this.session = session;
        this.stream = stream;
        this.metrics = metrics;
        this.inFlight = new RequestMetrics.Request(session.context().channel());
    }

    void begin(Responder responder, HttpRequest request) {
        startNanos = System.nanoTime();
        inFlight.begin(request);
        responseOpen = true;
        requestOpen = !(request instanceof LastHttpContent);
        current = responder.exchange(this, request);
        destination = current.destination();
        current.start();
    }

    /**
     * The next piece of the request body, or its trailers.
     *
     * @return how many of its {@code bytes} the client gets credit for now
     */
    int requestContent(HttpContent content, int bytes) {
        requestContent(content);
        return received(bytes, current == null || current.wantsRequestContent());
    }

    void requestContent(HttpContent content) {
        if (current == null || !requestOpen) {
            content.release(); // Netty's decoder lets nothing follow the end of a request; this is for safety only
            return;
        }
        requestOpen = !(content instanceof LastHttpContent);
        metrics.received(inFlight, content.content().readableBytes());
        current.requestContent(content);
        completeIfDone();
    }

    @Override
    void readComplete() {
        if (current != null) {
            current.inboundReadComplete();
        }
    }

    @Override
    void writableAgain() {
        if (current != null) {
            current.inboundWritable();
        }
    }

    /** The stream closed: an exchange still open hears that the client went away. */
    @Override
    void streamClosed() {
        Exchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.inboundClosed();
        }
        if (responseOpen) {
            responseOpen = false;
            metrics.finished(RequestMetrics.CLIENT_CLOSED, destination, startNanos, inFlight);
        }
    }

    @Override
    public void respond(HttpResponse head) {
        if (!sendable()) {
            ReferenceCountUtil.release(head);
            return;
        }
        status = head.status().code();
        responseStarted = true;
        boolean endStream = headEnds(head);
        session.writeHead(stream, head, endStream);
        if (head instanceof LastHttpContent last) {
            metrics.sent(inFlight, last.content().readableBytes());
            if (endStream) {
                last.release();
            } else {
                session.writeEnd(stream, last);
            }
            responseEnded();
        }
    }

    @Override
    public void respondInterim(FullHttpResponse interim) {
        if (sendable()) {
            session.writeHead(stream, interim, false);
            session.flush();
        }
        interim.release();
    }

    @Override
    public void respondContent(HttpContent content) {
        if (!sendable()) {
            content.release();
            return;
        }
        metrics.sent(inFlight, content.content().readableBytes());
        if (content instanceof LastHttpContent last) {
            session.writeEnd(stream, last);
            responseEnded();
        } else {
            session.writeData(stream, content.content(), false);
        }
    }

    @Override
    public void fail(int status, String reason) {
        if (responseStarted) {
            abort(reason);
            return;
        }
        log.fine(() -> "answering " + status + " on stream " + stream.id() + " of " + session.context().channel() + ": " + reason);
        respond(ErrorResponses.of(status, reason, alloc()));
    }

    /** Resets the stream with CANCEL; the exchange hears the close when the reset is out. */
    @Override
    public void abort(String reason) {
        log.fine(() -> "resetting stream " + stream.id() + " of " + session.context().channel() + ": " + reason);
        if (responseOpen) {
            responseOpen = false;
            metrics.finished(responseStarted ? 502 : RequestMetrics.CLIENT_CLOSED, destination, startNanos, inFlight);
        }
        if (!ended && stream.state() != Http2Stream.State.CLOSED) {
            session.cancel(stream);
        }
    }

    @Override
    public void flush() {
        session.flush();
    }

    /** The exchange wants more of the request body again, or no more: the client gets credit for what it holds. */
    @Override
    public void readingChanged() {
        if (current == null || current.wantsRequestContent()) {
            giveCredit();
        }
    }

    @Override
    public EventLoop eventLoop() {
        return session.context().channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return session.context().alloc();
    }

    private void responseEnded() {
        responseOpen = false;
        metrics.finished(status, destination, startNanos, inFlight);
        session.flush();
        completeIfDone();
    }

    private void completeIfDone() {
        if (current != null && !requestOpen && !responseOpen) {
            current = null;
        }
    }
}
