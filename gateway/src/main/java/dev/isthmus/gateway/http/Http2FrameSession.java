package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.ArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One HTTP/2 connection read and written frame by frame, each exchange on a stream of its own ({@link Http2FrameStream}):
 * what the client side ({@link Http2ClientSession}) and the server side ({@link Http2ServerSession}) share. It is Netty's
 * {@link Http2ConnectionHandler} (HPACK, flow control, stream states, SETTINGS, PING, GOAWAY, and the resets and GOAWAYs
 * for every protocol error), with the subclass as its frame listener. There is no channel, pipeline, frame object or
 * promise listener per stream, which Netty's child channels cost every request.
 *
 * <p>Here: the streams' bookkeeping (each found by a property of its Netty stream, told when it closes and when its
 * writability changes), read batches, the wake-ups of {@link UnwritableStreams}, the writes a stream makes, credit for
 * bytes an exchange held back, and errors that are not HTTP/2's. Every write gets a promise that fails quietly: a write's
 * failure is learnt from its stream's close. Netty's own void promise would turn it into exceptionCaught, which takes
 * the whole connection down for one stream the peer reset.
 */
abstract class Http2FrameSession<S extends Http2FrameStream> extends Http2ConnectionHandler implements Http2FrameListener {

    private static final Logger log = Logger.getLogger(Http2FrameSession.class.getName());

    private final Http2Connection.PropertyKey streamKey;
    /** The streams that read in the current read batch, told of its end together. */
    private final ArrayList<S> readers = new ArrayList<>();
    private final UnwritableStreams unwritable = new UnwritableStreams();
    private ChannelHandlerContext ctx;
    private ChannelPromise quiet;

    Http2FrameSession(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
        super(decoder, encoder, settings);
        this.streamKey = connection().newKey();
        decoder.frameListener(this);
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2FrameStream closed = stream.removeProperty(streamKey);
                if (closed != null) {
                    closed.closed();
                }
            }
        });
        encoder.flowController().listener(stream -> {
            Http2FrameStream changed = stream.getProperty(streamKey);
            if (changed != null) {
                changed.writabilityChanged();
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.quiet = new VoidChannelPromise(ctx.channel(), false);
        super.handlerAdded(ctx); // sends the preface if the channel is active already
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    ChannelPromise quiet() {
        return quiet;
    }

    // ---- the streams

    /** Makes {@code owner} the one that hears of {@code stream}. */
    final void own(Http2Stream stream, S owner) {
        stream.setProperty(streamKey, owner);
    }

    /** The owner of stream {@code id}, or null: no such stream, or none owns it. */
    final S owner(int id) {
        Http2Stream stream = connection().stream(id);
        return stream == null ? null : stream.getProperty(streamKey);
    }

    /** {@code stream} reads in this batch: it hears the batch end, once. */
    final S reading(S stream) {
        if (stream.startReadBatch()) {
            readers.add(stream);
        }
        return stream;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        try {
            for (int i = 0; i < readers.size(); i++) {
                readers.get(i).endReadBatch();
            }
            readers.clear();
        } finally {
            super.channelReadComplete(ctx); // flushes what the batch wrote: WINDOW_UPDATEs among it
        }
        unwritable.recheck(); // the batch may have brought the peer's WINDOW_UPDATEs
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        super.channelWritabilityChanged(ctx);
        unwritable.recheck();
    }

    // ---- writing, for the streams

    final void writeData(Http2Stream stream, ByteBuf data, boolean endStream) {
        encoder().writeData(ctx, stream.id(), data, 0, endStream, quiet);
    }

    /**
     * The end of a body: its last bytes as DATA, then its trailers as HEADERS, whichever ends the stream. An empty end
     * is still a DATA frame that ends the stream, unless trailers do; the empty body of a whole message, whose head
     * ended the stream already ({@link Http2FrameStream#headEnds}), is nothing. As Netty's {@code
     * Http2StreamFrameToHttpObjectCodec} encodes it.
     */
    final void writeEnd(Http2Stream stream, LastHttpContent last) {
        HttpHeaders trailers = last.trailingHeaders();
        if (last.content().isReadable() || !(last instanceof FullHttpMessage) && trailers.isEmpty()) {
            encoder().writeData(ctx, stream.id(), last.content(), 0, trailers.isEmpty(), quiet);
        } else {
            last.release();
        }
        if (!trailers.isEmpty()) {
            encoder().writeHeaders(ctx, stream.id(), HttpConversionUtil.toHttp2Headers(trailers, false), 0, true, quiet);
        }
    }

    /** Resets a stream whose exchange gave up on it; it closes once the RST_STREAM is out. */
    final void cancel(Http2Stream stream) {
        resetStream(ctx, stream.id(), Http2Error.CANCEL.code(), quiet);
        flush(ctx);
    }

    /**
     * Writes what flow control holds back as far as the peer's windows allow, then flushes: DATA frames wait in Netty's
     * flow controller until the handler's own flush, which a flush of its context would pass by.
     */
    final void flush() {
        flush(ctx);
    }

    final boolean writable(Http2Stream stream) {
        return encoder().flowController().isWritable(stream);
    }

    /** A stream whose exchange found it unwritable; it hears when that changes (see {@link UnwritableStreams}). */
    final void unwritable(Http2FrameStream stream) {
        unwritable.add(stream);
    }

    /** Gives the peer credit for bytes an exchange now takes; true when a WINDOW_UPDATE was written. */
    final boolean consume(Http2Stream stream, int bytes) {
        try {
            return connection().local().flowController().consumeBytes(stream, bytes);
        } catch (Http2Exception e) {
            onError(ctx, true, e);
            return false;
        }
    }

    // ---- frames neither side acts on itself: Netty did what there is to do

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency, short weight,
            boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        // Netty closes the stream next, and its owner hears that.
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight, boolean exclusive) {}

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {}

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {}

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {}

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {}

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {}

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {}

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags, ByteBuf payload) {}

    /** HTTP/2 errors are Netty's to answer (RST_STREAM, or GOAWAY and close); any other closes the connection. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        log.log(Level.FINE, cause, () -> "closing HTTP/2 connection " + ctx.channel() + " after an error");
        ctx.close();
    }
}
