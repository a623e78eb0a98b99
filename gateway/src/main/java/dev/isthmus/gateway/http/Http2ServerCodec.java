package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.DecoratingHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Netty's server-side HTTP/2 frame codec with the checks it lacks ({@link StreamStateCheck}) put
 * around its decoder, and a GOAWAY that tells the peer the error code only: Netty's puts the message of
 * whatever exception ended the connection into the debug data, Java class names and buffer internals
 * included (issue 10, item 9). The builder hook that receives decoder and encoder is the only place to
 * do either.
 *
 * <p>The frames waiting for the peer's flow-control window are shared out by Netty's {@link
 * UniformStreamByteDistributor}, not its default weighted fair queue: that one keeps a priority tree,
 * a map and two heaps per connection (about 0.7 KiB on each idle connection) for the priorities RFC
 * 9113 deprecated, and the gateway's streams carry no priorities anyway.
 */
final class Http2ServerCodec extends Http2FrameCodecBuilder {

    private Http2ServerCodec() {
        // A server codec: the connection passed in says so (the builder refuses to be told twice).
        DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        connection(connection);
    }

    /** A codec with these settings, and a graceful shutdown of at most {@code gracefulShutdownMillis}. */
    static Http2FrameCodec create(Http2Settings settings, long gracefulShutdownMillis) {
        return new Http2ServerCodec()
                .initialSettings(settings)
                // RFC 9113 §8.3.1: a request without :method, :scheme or a non-empty :path is malformed, a stream error.
                // Left to the conversion to HTTP/1 objects it would be an exception there, with no code for the peer.
                .validateRequiredPseudoHeaders(true)
                .gracefulShutdownTimeoutMillis(gracefulShutdownMillis)
                .build();
    }

    @Override
    protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
        Integer maxFrameSize = settings.maxFrameSize();
        return super.build(new StreamStateCheck(decoder, maxFrameSize == null ? Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE : maxFrameSize),
                new QuietGoAway(encoder), settings);
    }

    /** Sends GOAWAY without debug data when it reports an error; a graceful one keeps what it says. */
    private static final class QuietGoAway extends DecoratingHttp2ConnectionEncoder {
        private final Http2FrameWriter writer;

        QuietGoAway(Http2ConnectionEncoder delegate) {
            super(delegate);
            writer = new DecoratingHttp2FrameWriter(delegate.frameWriter()) {
                @Override
                public ChannelFuture writeGoAway(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData,
                        ChannelPromise promise) {
                    if (errorCode == Http2Error.NO_ERROR.code()) {
                        return super.writeGoAway(ctx, lastStreamId, errorCode, debugData, promise);
                    }
                    debugData.release();
                    return super.writeGoAway(ctx, lastStreamId, errorCode, Unpooled.EMPTY_BUFFER, promise);
                }
            };
        }

        @Override
        public Http2FrameWriter frameWriter() {
            return writer;
        }
    }
}
