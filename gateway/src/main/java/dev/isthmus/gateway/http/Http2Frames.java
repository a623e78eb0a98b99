package dev.isthmus.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * What both frame-level sessions ({@link Http2ClientSession}, {@link Http2ServerSession}) do the same way with an HTTP/1
 * object on its way out as frames of one stream, as Netty's {@code Http2StreamFrameToHttpObjectCodec} encodes it.
 */
final class Http2Frames {

    private Http2Frames() {}

    /** Whether this side may still send on {@code stream}: it is open this way, and neither side reset it. */
    static boolean sendable(Http2Stream stream) {
        return stream != null && !stream.isResetSent()
                && (stream.state() == Http2Stream.State.OPEN || stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE);
    }

    /**
     * Whether a message's head ends the stream by itself: a whole message with neither body nor trailers.
     */
    static boolean headEnds(Object msg) {
        return msg instanceof FullHttpMessage full && !full.content().isReadable() && full.trailingHeaders().isEmpty();
    }

    /**
     * The end of a body: its last bytes as DATA, then its trailers as HEADERS, whichever ends the stream. An empty end
     * is still a DATA frame that ends the stream, unless trailers do; the empty body of a whole message, whose head
     * ended the stream already ({@link #headEnds}), is nothing.
     */
    static void writeEnd(Http2ConnectionEncoder encoder, ChannelHandlerContext ctx, int streamId, LastHttpContent last,
            ChannelPromise promise) {
        HttpHeaders trailers = last.trailingHeaders();
        if (last.content().isReadable() || !(last instanceof FullHttpMessage) && trailers.isEmpty()) {
            encoder.writeData(ctx, streamId, last.content(), 0, trailers.isEmpty(), promise);
        } else {
            last.release();
        }
        if (!trailers.isEmpty()) {
            encoder.writeHeaders(ctx, streamId, HttpConversionUtil.toHttp2Headers(trailers, false), 0, true, promise);
        }
    }
}
