package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.List;

/**
 * What a session sent, one line per frame, as the hand-played peers of {@link Http2ClientSessionTest} and {@link
 * Http2ServerStreamTest} read it with Netty's frame reader: {@code HEADERS 1 end :status=200}, {@code DATA 1 5},
 * {@code RST_STREAM 1 CANCEL}, {@code WINDOW_UPDATE 0 65535}, and so on.
 */
final class FrameLines extends Http2FrameAdapter {

    final List<String> lines = new ArrayList<>();

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
        StringBuilder line = new StringBuilder("HEADERS ").append(streamId).append(endStream ? " end" : "");
        headers.forEach(h -> line.append(' ').append(h.getKey()).append('=').append(h.getValue()));
        lines.add(line.toString());
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
            short weight, boolean exclusive, int padding, boolean endStream) {
        onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        lines.add("DATA " + streamId + " " + data.readableBytes() + (endOfStream ? " end" : ""));
        return data.readableBytes() + padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        lines.add("RST_STREAM " + streamId + " " + Http2Error.valueOf(errorCode));
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int increment) {
        lines.add("WINDOW_UPDATE " + streamId + " " + increment);
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        lines.add("SETTINGS");
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
        lines.add("SETTINGS_ACK");
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
        lines.add("PING " + data);
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        lines.add("GOAWAY " + lastStreamId + " " + Http2Error.valueOf(errorCode));
    }
}
