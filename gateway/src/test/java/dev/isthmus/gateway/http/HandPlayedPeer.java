package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;

/**
 * The other end of a session under test, played by hand: frames written with Netty's frame writer and delivered to the
 * session's channel, the session's frames read back with Netty's frame reader ({@link FrameLines}), so that every frame
 * on the wire is in view. The upstream of {@link Http2ClientSessionTest}, the client of {@link Http2ServerStreamTest}.
 */
abstract class HandPlayedPeer {

    final EmbeddedChannel wire = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    final ChannelHandlerContext ctx = wire.pipeline().firstContext();
    final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    private final ByteBuf received = Unpooled.buffer();
    /** A client session starts with the connection preface, which is no frame. */
    private boolean prefaceToSkip;

    HandPlayedPeer(boolean sessionSendsPreface) {
        this.prefaceToSkip = sessionSendsPreface;
    }

    /** Hands what {@link #writer} wrote to the session under test. */
    abstract void deliver();

    void headers(int stream, Http2Headers headers, boolean end) {
        writer.writeHeaders(ctx, stream, headers, 0, end, ctx.newPromise());
        deliver();
    }

    /** From the leak-tracking allocator, so that a piece the session keeps too long shows as a leak. */
    void data(int stream, String text, boolean end) {
        writer.writeData(ctx, stream, ByteBufUtil.writeAscii(ByteBufAllocator.DEFAULT, text), 0, end, ctx.newPromise());
        deliver();
    }

    void reset(int stream, Http2Error error) {
        writer.writeRstStream(ctx, stream, error.code(), ctx.newPromise());
        deliver();
    }

    /** The frames the session wrote since the last call, one line each. */
    List<String> sent(EmbeddedChannel session) {
        for (ByteBuf bytes; (bytes = session.readOutbound()) != null; ) {
            received.writeBytes(bytes);
            bytes.release();
        }
        int preface = Http2CodecUtil.connectionPrefaceBuf().readableBytes();
        if (prefaceToSkip && received.readableBytes() >= preface) {
            received.skipBytes(preface);
            prefaceToSkip = false;
        }
        FrameLines frames = new FrameLines();
        try {
            reader.readFrame(ctx, received, frames);
        } catch (Exception e) {
            throw new AssertionError("the session wrote something that is no HTTP/2 frame", e);
        }
        received.discardReadBytes();
        return frames.lines;
    }

    void close() {
        received.release();
        reader.close();
        writer.close();
        wire.finishAndReleaseAll();
    }
}
