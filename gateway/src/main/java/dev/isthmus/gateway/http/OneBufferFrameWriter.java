package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;

/**
 * Netty's frame writer, but a HEADERS frame (with its CONTINUATION frames, if the block needs them) and a small DATA
 * frame each go out as one buffer with one write. Netty's writer sends a frame's 9-byte head and its payload as two
 * buffers, each a write through the pipeline, with a promise aggregator to join their promises: on the gateways'
 * connections that is most of the frames, for every request and every response.
 *
 * <p>The HPACK block is encoded in place, after room left for the frame's head, so it is encoded exactly once: the
 * encoder's dynamic table changes with each block it encodes. Padded frames (which the gateway never writes), frames
 * for stream 0 (refused there) and every other kind of frame go to Netty's writer as before. Like Netty's writer, it
 * returns a future that completes even when given a void promise (Netty's connection encoder passes real ones; other
 * callers may listen to what they get back). {@code GatewayHttp2Codec} puts it in the sessions;
 * {@code HttpLayerBenchmark.http2StreamOneBufferFrames} measures it.
 */
public final class OneBufferFrameWriter extends DefaultHttp2FrameWriter {

    /** DATA frames up to this many payload bytes are copied behind their head; larger ones are written as they are. */
    static final int COPY_DATA_UP_TO = 1024;

    private static final int HEAD = Http2CodecUtil.FRAME_HEADER_LENGTH;
    private static final byte END_STREAM = 0x1;
    private static final byte END_HEADERS = 0x4;

    /**
     * Buckets of the HPACK encoder's two hash maps over its dynamic table. Netty's default is 64; 16 takes 384 bytes
     * off every connection (both maps are allocated whole with the connection and kept for its life, idle or not). A
     * table of 4,096 bytes holds a few dozen typical fields (each counts 32 bytes besides its name and value), so a
     * lookup walks a few more entries of its bucket.
     */
    static final int HPACK_TABLE_BUCKETS = 16;

    /**
     * The encoder keeps HPACK's initial table of 4,096 bytes unless the peer offers less. Netty's encoder, told of a
     * peer's offer (SETTINGS_HEADER_TABLE_SIZE), takes at most 64 bytes of it per hash bucket: 4,096 with its 64
     * buckets, 1,024 with {@link #HPACK_TABLE_BUCKETS}. So a peer that offers 1,024 bytes or more (Chrome offers 64
     * KiB) would shrink the table to 1,024 bytes and compress worse than one that offers nothing. An offer of 4,096 or
     * more is not passed on: the table stays as both ends began it, which RFC 7541 section 4.2 allows (an encoder may
     * use less than it is offered). A smaller offer is passed on, and the encoder announces what it takes.
     */
    static final long MAX_TABLE_SIZE = Http2CodecUtil.DEFAULT_HEADER_TABLE_SIZE;

    private final Http2HeadersEncoder headersEncoder;

    /**
     * With HPACK as Netty's builder sets it up (no field is sensitive, the peer's header list limit is kept), but with
     * {@link #HPACK_TABLE_BUCKETS} and a table of at most {@link #MAX_TABLE_SIZE}.
     */
    public static OneBufferFrameWriter create() {
        return new OneBufferFrameWriter(new BoundedHpack());
    }

    private OneBufferFrameWriter(Http2HeadersEncoder headersEncoder) {
        super(headersEncoder);
        this.headersEncoder = headersEncoder;
    }

    @Override
    public ChannelFuture writeHeaders(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
            boolean endStream, ChannelPromise promise) {
        if (padding != 0 || streamId <= 0) {
            return super.writeHeaders(ctx, streamId, headers, padding, endStream, promise); // and its checks
        }
        promise = promise.unvoid();
        ByteBuf encoded = ctx.alloc().buffer();
        ByteBuf frames;
        try {
            encoded.writeZero(HEAD); // room for the head, set once the block's length is known
            headersEncoder.encodeHeaders(streamId, headers, encoded);
            int block = encoded.writerIndex() - HEAD;
            int max = maxFrameSize();
            if (block <= max) {
                byte flags = (byte) (END_HEADERS | (endStream ? END_STREAM : 0));
                setHead(encoded, 0, block, Http2FrameTypes.HEADERS, flags, streamId);
                frames = encoded;
                encoded = null;
            } else {
                frames = continued(ctx, encoded, block, max, streamId, endStream);
            }
        } catch (Throwable t) {
            return promise.setFailure(t);
        } finally {
            if (encoded != null) {
                encoded.release();
            }
        }
        return ctx.write(frames, promise);
    }

    /**
     * The block of {@code encoded} (after the room left for a head) split over a HEADERS frame and CONTINUATION frames
     * of {@code max} bytes at most, in a new buffer.
     */
    private static ByteBuf continued(ChannelHandlerContext ctx, ByteBuf encoded, int block, int max, int streamId,
            boolean endStream) {
        int count = (block + max - 1) / max;
        ByteBuf frames = ctx.alloc().buffer(block + count * HEAD);
        try {
            for (int i = 0; i < count; i++) {
                int length = Math.min(max, block - i * max);
                byte type = i == 0 ? Http2FrameTypes.HEADERS : Http2FrameTypes.CONTINUATION;
                byte flags = (byte) ((i == count - 1 ? END_HEADERS : 0) | (i == 0 && endStream ? END_STREAM : 0));
                int head = frames.writerIndex();
                frames.writeZero(HEAD);
                setHead(frames, head, length, type, flags, streamId);
                frames.writeBytes(encoded, HEAD + i * max, length);
            }
            return frames;
        } catch (Throwable t) {
            frames.release();
            throw t;
        }
    }

    @Override
    public ChannelFuture writeData(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endStream,
            ChannelPromise promise) {
        int length = data.readableBytes();
        if (padding != 0 || streamId <= 0 || length > COPY_DATA_UP_TO) {
            return super.writeData(ctx, streamId, data, padding, endStream, promise);
        }
        promise = promise.unvoid();
        ByteBuf frame = null;
        try {
            frame = ctx.alloc().buffer(HEAD + length);
            frame.writeZero(HEAD).writeBytes(data, data.readerIndex(), length);
            setHead(frame, 0, length, Http2FrameTypes.DATA, endStream ? END_STREAM : 0, streamId);
        } catch (Throwable t) {
            if (frame != null) {
                frame.release();
            }
            return promise.setFailure(t);
        } finally {
            data.release(); // the frame's copy is all that is written
        }
        return ctx.write(frame, promise);
    }

    private static void setHead(ByteBuf out, int at, int length, byte type, byte flags, int streamId) {
        out.setMedium(at, length);
        out.setByte(at + 3, type);
        out.setByte(at + 4, flags);
        out.setInt(at + 5, streamId);
    }

    /** Netty's HPACK encoder, with {@link #HPACK_TABLE_BUCKETS} and the table of {@link #MAX_TABLE_SIZE}. */
    private static final class BoundedHpack extends DefaultHttp2HeadersEncoder {

        BoundedHpack() {
            super(Http2HeadersEncoder.NEVER_SENSITIVE, false, HPACK_TABLE_BUCKETS);
        }

        /** The peer's offer, from its SETTINGS. */
        @Override
        public void maxHeaderTableSize(long offered) throws Http2Exception {
            long size = Math.min(offered, MAX_TABLE_SIZE);
            if (size != maxHeaderTableSize()) { // Netty's would also allocate its buffer for a size update
                super.maxHeaderTableSize(size);
            }
        }
    }
}
