package dev.isthmus.gateway.http;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Netty's client-side HTTP/2 frame codec for the connections of an {@link Http2Pool}, with the frames that wait
 * for the upstream's flow-control window shared out by {@link UniformStreamByteDistributor}, as inbound
 * connections do ({@link Http2ServerCodec}). Netty's default weighted fair queue allocates a state and polls a
 * priority queue for every stream, for priorities RFC 9113 deprecated and the gateway never sets; a pooled
 * connection opens a stream per request.
 */
final class Http2ClientCodec extends Http2FrameCodecBuilder {

    private Http2ClientCodec() {
        DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        connection(connection);
        // As forClient() has it: closing does not wait for open streams. The pool closes a connection when its
        // upstream ended its side, and its streams must end with it, not 30 s later.
        gracefulShutdownTimeoutMillis(0);
    }

    /**
     * A client codec: the connection passed in says so, but the builder may not be told with {@code server(false)}
     * as well, and without it would apply a server's defaults of its own (limits on RST_STREAM frames).
     */
    @Override
    public boolean isServer() {
        return false;
    }

    /** A codec sending {@code settings}, whose new streams wait while the upstream's concurrency limit is reached. */
    static Http2FrameCodec create(Http2Settings settings) {
        return new Http2ClientCodec()
                .initialSettings(settings)
                .encoderEnforceMaxConcurrentStreams(true)
                .build();
    }
}
