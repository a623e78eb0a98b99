package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * What one exchange's stream of a frame-level session ({@link Http2FrameSession}) keeps the same way on both sides: the
 * end of a read batch, told once per stream; writability, with a wake-up for an exchange that found the stream
 * unwritable ({@link UnwritableStreams}); and the peer's credit for bytes the exchange did not want yet, given once it
 * does. {@link Http2Call} is a pool's, {@link Http2ServerStream} an inbound session's. All of it runs on the connection's
 * event loop.
 */
abstract class Http2FrameStream implements UnwritableStreams.Stream {

    private final Http2FrameSession<?> session;
    /** Null until a client's request head opens it, and when opening failed; an inbound stream has it from the start. */
    Http2Stream stream;
    /** The stream closed (or, a client's, never opened): nothing more reaches the exchange. */
    boolean ended;
    /** Bytes received while the exchange wanted no more: the peer's credit for them waits until it does. */
    private int unconsumed;
    private boolean inReadBatch;
    /** The exchange found the stream unwritable and has not heard since that it can write. */
    private boolean awaitingWritable;

    Http2FrameStream(Http2FrameSession<?> session) {
        this.session = session;
    }

    /** Tells the exchange that a read batch that brought it frames ended. */
    abstract void readComplete();

    /** Tells the exchange, if there still is one, that the stream can take more. */
    abstract void writableAgain();

    /** The stream closed: tells the exchange, if there still is one. Called once. */
    abstract void streamClosed();

    /** Whether this side may still send on the stream: it is open this way, and neither side reset it. */
    final boolean sendable() {
        return !ended && stream != null && !stream.isResetSent()
                && (stream.state() == Http2Stream.State.OPEN || stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE);
    }

    /** Whether a message's head ends the stream by itself: a whole message with neither body nor trailers. */
    static boolean headEnds(Object msg) {
        return msg instanceof FullHttpMessage full && !full.content().isReadable() && full.trailingHeaders().isEmpty();
    }

    /** @return true when this is the stream's first read of the batch, so that it hears the batch end */
    final boolean startReadBatch() {
        if (inReadBatch) {
            return false;
        }
        inReadBatch = true;
        return true;
    }

    final void endReadBatch() {
        inReadBatch = false;
        readComplete();
    }

    /**
     * Bytes received for the exchange.
     *
     * @param wanted whether the exchange wants more: else the peer gets credit for them only with {@link #giveCredit}
     * @return how many of them the peer gets credit for now
     */
    final int received(int bytes, boolean wanted) {
        if (wanted) {
            return bytes;
        }
        unconsumed += bytes;
        return 0;
    }

    /** Gives the peer credit for what was received while the exchange wanted no more, and flushes the WINDOW_UPDATE. */
    final void giveCredit() {
        if (unconsumed == 0 || ended || stream == null) {
            return;
        }
        int bytes = unconsumed;
        unconsumed = 0;
        // Outside the connection's own read, nothing else would flush the WINDOW_UPDATE: the peer would wait forever.
        if (session.consume(stream, bytes)) {
            session.flush();
        }
    }

    /** False while the stream's window, or the connection, cannot take more without buffering; the exchange hears when it can. */
    public boolean writable() {
        if (writableNow()) {
            return true;
        }
        if (!awaitingWritable) {
            awaitingWritable = true;
            session.unwritable(this);
        }
        return false;
    }

    @Override
    public final boolean writableNow() {
        return ended || stream == null || session.writable(stream);
    }

    /** Netty's flow controller says the stream's writability changed. */
    final void writabilityChanged() {
        if (writableNow()) {
            awaitingWritable = false;
            writableAgain();
        }
    }

    /** A recheck found the stream writable; one that heard it from Netty's listener meanwhile ignores this. */
    @Override
    public final void becameWritable() {
        if (awaitingWritable) {
            writabilityChanged();
        }
    }

    /** The stream closed, or a client's never opened: the exchange hears it once. */
    final void closed() {
        if (ended) {
            return;
        }
        ended = true;
        unconsumed = 0; // the flow controller gives a closed stream's unconsumed bytes back to the connection itself
        streamClosed();
    }
}
