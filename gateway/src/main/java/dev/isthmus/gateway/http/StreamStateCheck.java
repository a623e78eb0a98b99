package dev.isthmus.gateway.http;

import static io.netty.handler.codec.http2.Http2CodecUtil.FRAME_HEADER_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Gives a HEADERS frame on a stream the client has already ended the error RFC 9113 asks for, where
 * Netty's decoder gives another. On a half-closed (remote) stream it is a stream error {@code
 * STREAM_CLOSED} (§5.1), which Netty reports as {@code PROTOCOL_ERROR}. On a stream the client can no
 * longer open it is a connection error:
 * on a stream that closed normally, {@code STREAM_CLOSED} (§5.1); on an identifier lower than one the
 * client already used, never opened, {@code PROTOCOL_ERROR} (§5.1.1). Netty's decoder, keeping no
 * history of closed streams, answers both with a stream error {@code STREAM_CLOSED}, which a client
 * that reuses identifiers can repeat forever. A stream the gateway reset is left to Netty, which is
 * right there: the client may have sent its frames before the reset reached it.
 *
 * <p>The history is bounded: the last {@value #REMEMBERED} resets and skipped identifier ranges. An
 * identifier older than that counts as one that closed normally.
 *
 * <p>Frames go to the decoder one at a time, so each is checked against the streams the frames before it
 * opened. The decoder waits for whole frames anyway, so this holds back no byte it would have used.
 */
final class StreamStateCheck extends DecoratingHttp2ConnectionDecoder {

    static final int REMEMBERED = 128;

    private final Http2Connection connection;
    private final int maxFrameSize;
    /** Made on the first reset: most connections never see one, and an idle connection should hold nothing it does not use. */
    private LinkedHashSet<Integer> reset;
    /** Identifier ranges the client skipped, as {first, last} pairs, oldest first; made on the first skip, as {@link #reset}. */
    private ArrayDeque<int[]> skipped;
    private int highestUsed;

    StreamStateCheck(Http2ConnectionDecoder delegate, int maxFrameSize) {
        super(delegate);
        this.connection = delegate.connection();
        this.maxFrameSize = maxFrameSize;
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                int id = stream.id();
                if (!connection.remote().isValidStreamId(id)) {
                    return;
                }
                int lowest = lowestUnused(id);
                if (lowest < id) {
                    if (skipped == null) {
                        skipped = new ArrayDeque<>();
                    }
                    remember(skipped, new int[] {lowest, id - 2});
                }
            }

            @Override
            public void onStreamRemoved(Http2Stream stream) {
                if (stream.isResetSent() && connection.remote().isValidStreamId(stream.id())) {
                    if (reset == null) {
                        reset = new LinkedHashSet<>();
                    }
                    reset.add(stream.id());
                    if (reset.size() > REMEMBERED) {
                        reset.remove(reset.iterator().next());
                    }
                }
            }
        });
    }

    /** The lowest identifier the client had not used before {@code id}; tracks the highest used so far. */
    private int lowestUnused(int id) {
        int lowest = highestUsed == 0 ? (connection.isServer() ? 1 : 2) : highestUsed + 2;
        highestUsed = Math.max(highestUsed, id);
        return lowest;
    }

    private static void remember(ArrayDeque<int[]> ranges, int[] range) {
        ranges.addLast(range);
        if (ranges.size() > REMEMBERED) {
            ranges.removeFirst();
        }
    }

    @Override
    public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
        while (in.readableBytes() >= FRAME_HEADER_LENGTH) {
            int start = in.readerIndex();
            int length = in.getUnsignedMedium(start);
            if (length > maxFrameSize) {
                super.decodeFrame(ctx, in, out); // the decoder's own FRAME_SIZE_ERROR
                return;
            }
            if (in.readableBytes() < FRAME_HEADER_LENGTH + length) {
                return; // the rest of the frame comes with a later read
            }
            ByteBuf frame = in.readSlice(FRAME_HEADER_LENGTH + length);
            if (in.getByte(start + 3) != Http2FrameTypes.HEADERS) {
                super.decodeFrame(ctx, frame, out);
                continue;
            }
            int id = in.getInt(start + 5) & Integer.MAX_VALUE;
            check(id);
            Http2Stream stream = connection.stream(id);
            if (stream == null || stream.state() != Http2Stream.State.HALF_CLOSED_REMOTE) {
                super.decodeFrame(ctx, frame, out);
                continue;
            }
            try {
                // Decoded all the same: the header block must go through HPACK, or the next one would not decode.
                super.decodeFrame(ctx, frame, out);
            } catch (Http2Exception.StreamException e) {
                if (e.streamId() != id || e.error() != Http2Error.PROTOCOL_ERROR) {
                    throw e;
                }
                throw Http2Exception.streamError(id, Http2Error.STREAM_CLOSED, e,
                        "HEADERS stream: %d (expected: none; the client ended the stream)", id);
            }
        }
    }

    private void check(int id) throws Http2Exception {
        if (!connection.remote().isValidStreamId(id) || id > highestUsed || connection.stream(id) != null
                || reset != null && reset.contains(id)) {
            return; // a new stream, an open one, or one the gateway reset: the decoder's rules apply
        }
        for (int[] range : skipped == null ? List.<int[]>of() : skipped) {
            if (id >= range[0] && id <= range[1]) {
                throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                        "HEADERS stream: %d (expected: above %d, the highest the client used)", id, highestUsed);
            }
        }
        throw Http2Exception.connectionError(Http2Error.STREAM_CLOSED, "HEADERS stream: %d (expected: an open stream; it closed)", id);
    }
}
