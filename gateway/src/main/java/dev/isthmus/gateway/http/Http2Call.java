package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;

/**
 * One exchange's stream of an {@link Http2ClientSession}: the request's pieces leave as frames of the stream, which the
 * request's head opens, and the response's frames come back as {@code HttpObject}s. The call ends once, when its stream
 * closed (both ways done, reset by either side, or the connection gone), or when it is given back without a stream.
 */
public final class Http2Call extends Http2FrameStream implements BackendLease {

    private final Http2ClientSession session;
    private final boolean reused;
    private Listener listener;
    private boolean reading = true;

    Http2Call(Http2ClientSession session, boolean reused) {
        super(session);
        this.session = session;
        this.reused = reused;
    }

    /** The connection the stream rides on. */
    Channel connection() {
        return session.context().channel();
    }

    @Override
    public void attach(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void detach() {
        this.listener = null;
    }

    boolean attached() {
        return listener != null;
    }

    /** As Netty's {@code Http2StreamFrameToHttpObjectCodec} encodes a request, without the frame objects. */
    @Override
    public void write(HttpObject msg) {
        if (msg instanceof HttpRequest head && !ended && stream == null) {
            boolean whole = headEnds(msg);
            stream = session.open(this, head, whole);
            if (whole || !(msg instanceof HttpContent)) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (!(msg instanceof HttpContent content) || !sendable()) {
            ReferenceCountUtil.release(msg); // the stream is gone (its close tells the exchange), or this was no body
            return;
        }
        if (content instanceof LastHttpContent last) {
            session.writeEnd(stream, last);
        } else {
            session.writeData(stream, content.content(), false);
        }
    }

    @Override
    public void flush() {
        session.flush();
    }

    @Override
    public void reading(boolean on) {
        if (reading == on) {
            return;
        }
        reading = on;
        if (on) {
            giveCredit();
        }
    }

    @Override
    public boolean reused() {
        return reused;
    }

    @Override
    public boolean multiplexed() {
        return true;
    }

    /** Hands a piece of the response to the exchange; returns how many of its {@code bytes} the upstream gets credit for now. */
    int deliverData(HttpContent content, int bytes) {
        // Counted before the exchange sees them: should it resume reading within backendRead, these are credited too.
        int credit = received(bytes, reading);
        listener.backendRead(content);
        return credit;
    }

    void deliver(HttpObject msg) {
        listener.backendRead(msg);
    }

    @Override
    void readComplete() {
        if (listener != null) {
            listener.backendReadComplete();
        }
    }

    @Override
    void writableAgain() {
        if (listener != null) {
            listener.backendWritable();
        }
    }

    /** The stream closed, or never opened: the exchange hears it, if it is still there. */
    @Override
    void streamClosed() {
        session.callEnded();
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.backendClosed();
        }
    }

    /**
     * Back from the exchange. A stream that finished both ways closes by itself once the codec has seen its end;
     * resetting it would send RST_STREAM for every request, which servers guarding against rapid-reset floods
     * (Netty's, for one) answer by closing the connection. One that did not finish is reset: what an abandoned
     * exchange needs. A call that never opened a stream just ends.
     */
    void release(boolean reusable) {
        listener = null;
        if (ended) {
            return;
        }
        if (stream == null) {
            closed();
        } else if (!reusable && stream.state() != Http2Stream.State.CLOSED) {
            session.cancel(stream);
        } else {
            reading(true);
        }
    }
}
