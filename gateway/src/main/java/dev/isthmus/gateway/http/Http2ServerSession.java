package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.DecoratingHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.GatewayHttp2Codec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of one inbound HTTP/2 connection, frame by frame. Each request's stream gets an {@link Http2ServerStream},
 * the {@link ClientSide} its exchange answers through: the request's HEADERS and DATA reach the exchange as {@code
 * HttpObject}s, converted here, and the response leaves as frames of the stream. There is no channel, pipeline, frame
 * object or promise listener per stream, which Netty's child channels ({@code Http2MultiplexHandler}) cost every request.
 * It is Netty's {@link Http2ConnectionHandler} (HPACK, flow control, stream states, SETTINGS, PING, GOAWAY, and the
 * resets and GOAWAYs for every protocol error), with this class as its frame listener, and with two things Netty lacks
 * put around its decoder and encoder:
 * <ul>
 * <li>{@link StreamStateCheck}: the error codes RFC 9113 asks for on HEADERS of streams that ended;
 * <li>a GOAWAY that tells the peer the error code only. Netty's puts the message of whatever exception ended the
 *     connection into the debug data, Java class names and buffer internals included (issue 10, item 9).
 * </ul>
 *
 * <p>Backpressure is flow control: while an exchange does not want more of its request body, the bytes it received stay
 * unconsumed, so the client gets no WINDOW_UPDATE for them and stops within the stream's window; wanting more consumes
 * them. A stream error the client caused (a malformed request, say) is a reset with the error's own code, sent by Netty
 * once this listener throws it; the stream's exchange hears the close.
 *
 * <p>The frames waiting for the peer's flow-control window are shared out by Netty's {@link UniformStreamByteDistributor},
 * not its default weighted fair queue: that one keeps a priority tree, a map and two heaps per connection (about 0.7 KiB
 * on each idle connection) for the priorities RFC 9113 deprecated, and the gateway's streams carry no priorities anyway.
 */
final class Http2ServerSession extends Http2FrameSession<Http2ServerStream> {

    private static final Logger log = Logger.getLogger(Http2ServerSession.class.getName());

    /**
     * Without validation: it would be the second. The HPACK decoder (Netty's default {@code validateHeaders}) checks
     * every name (a lower-case token) and every value (no control character: no NUL, CR or LF) with the very function
     * the HTTP/1 headers use on values, and with a stricter one on names; a request with any other is refused before it
     * gets here. What the conversion adds itself ({@code Host} from {@code :authority}, joined cookies) is made of those
     * checked values; the request line is checked here ({@link RequestLineCheck}). {@link Http2HeaderValidationTest}
     * holds it.
     */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    /**
     * For trailers that came in a HEADERS frame. A message that ends without any gets Netty's shared, read-only empty
     * trailers instead of a map of its own (about 0.2 KiB a message): nothing adds trailers to a message that has ended.
     */
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private final SessionParts parts;

    private Http2ServerSession(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
            SessionParts parts) {
        super(decoder, encoder, settings);
        this.parts = parts;
    }

    /**
     * A session sending {@code settings}, whose close waits at most {@code gracefulShutdownMillis} for the streams in
     * flight after its GOAWAY, answering its requests with {@code parts}.
     */
    static Http2ServerSession create(Http2Settings settings, long gracefulShutdownMillis, SessionParts parts) {
        return new Builder(settings, gracefulShutdownMillis, parts).build();
    }

    /** Netty's builder, which applies the header list limit of {@code settings} to the HPACK decoder, among others. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2ServerSession, Builder> {
        private final SessionParts parts;

        Builder(Http2Settings settings, long gracefulShutdownMillis, SessionParts parts) {
            this.parts = parts;
            // A server: the connection passed in says so (the builder refuses to be told twice).
            DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
            GatewayHttp2Codec codec = new GatewayHttp2Codec(connection, settings, OneBufferFrameWriter.create(), true);
            codec(codec.decoder(), codec.encoder());
            initialSettings(settings);
            gracefulShutdownTimeoutMillis(gracefulShutdownMillis);
        }

        @Override
        protected Http2ServerSession build() {
            return super.build();
        }

        /** The only place that receives decoder and encoder before the handler is made around them. */
        @Override
        protected Http2ServerSession build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            Integer maxFrameSize = settings.maxFrameSize();
            return new Http2ServerSession(new StreamStateCheck(decoder, maxFrameSize == null ? Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE : maxFrameSize),
                    new QuietGoAway(encoder), settings, parts);
        }
    }

    /** What answers the requests of this session; shared with the other sessions of its peer and service. */
    SessionParts parts() {
        return parts;
    }

    // ---- reading

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream)
            throws Http2Exception {
        Http2ServerStream open = owner(streamId);
        if (open != null) {
            // Trailers: Netty's decoder refuses a second HEADERS that does not end the stream.
            LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
            HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, trailers.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
            try {
                reading(open).requestContent(trailers);
            } catch (RuntimeException e) {
                throw failed(streamId, e);
            }
            return;
        }
        HttpRequest request = request(streamId, headers, endOfStream);
        Http2Stream stream = connection().stream(streamId);
        Http2ServerStream started = new Http2ServerStream(this, stream, parts.requests);
        own(stream, started);
        try {
            reading(started).begin(parts.responder, request);
        } catch (RuntimeException e) {
            throw failed(streamId, e);
        }
    }

    /**
     * A failure of the gateway's own while it handed a stream's frame on: that stream is reset with INTERNAL_ERROR, and the
     * connection's other streams go on. Thrown as it is, Netty would take it for a connection error and close them all.
     */
    private static Http2Exception failed(int streamId, RuntimeException e) {
        log.log(Level.WARNING, e, () -> "resetting stream " + streamId + " after a failure in the gateway");
        return Http2Exception.streamError(streamId, Http2Error.INTERNAL_ERROR, e, "the gateway failed on this stream");
    }

    /**
     * A request's HEADERS as the exchange reads it, as Netty's {@code Http2StreamFrameToHttpObjectCodec} converts it: a
     * whole request when they end the stream, else a head, chunked unless it says its length. Unlike Netty's conversion,
     * a whole request allocates no buffer for the body it does not have, and the head carries no {@code
     * x-http2-stream-id} field, which the exchange would only strip again.
     *
     * @throws Http2Exception a stream error PROTOCOL_ERROR for a request line that could not be an HTTP/1 one, or
     *     fields that do not convert: a malformed request (RFC 9113 §8.1.1), which Netty answers with RST_STREAM
     */
    private static HttpRequest request(int streamId, Http2Headers headers, boolean endOfStream) throws Http2Exception {
        if (!RequestLineCheck.valid(headers)) {
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "request line :method %s :path %s (expected: a"
                    + " token and a target without spaces or control characters)", headers.method(), headers.path());
        }
        CharSequence method = headers.method();
        CharSequence target = HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(method) ? headers.authority() : headers.path();
        if (target == null) {
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "request target: none (expected: :path, or"
                    + " :authority for CONNECT)");
        }
        try {
            HttpRequest request = endOfStream
                    ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()), target.toString(),
                            Unpooled.EMPTY_BUFFER, HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE)
                    : new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()), target.toString(), HEADERS);
            // Converted as trailers are: the same fields, without the stream id; Connection, which the HPACK decoder
            // refuses in HTTP/2, needs no keep-alive setting either.
            HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, request.headers(), HttpVersion.HTTP_1_1, true, true);
            if (!endOfStream && !HttpUtil.isContentLengthSet(request)) {
                request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            return request;
        } catch (RuntimeException e) {
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, e, "request fields: %s (expected: fields that"
                    + " make an HTTP/1 request)", e.getMessage());
        }
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
            throws Http2Exception {
        int bytes = data.readableBytes();
        Http2ServerStream open = owner(streamId);
        if (open == null) {
            return bytes + padding;
        }
        try {
            return reading(open).requestContent(endOfStream ? new DefaultLastHttpContent(data.retain(), EmptyHttpHeaders.INSTANCE)
                    : new DefaultHttpContent(data.retain()), bytes) + padding;
        } catch (RuntimeException e) {
            throw failed(streamId, e);
        }
    }

    /** A client pushes nothing; Netty's decoder refuses PUSH_PROMISE on a server connection before it gets here. */
    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers, int padding) {}

    // ---- writing, for the streams

    /** The head of a response (a 1xx one included); it ends the stream when it is a whole response without body or trailers. */
    void writeHead(Http2Stream stream, HttpResponse head, boolean endStream) {
        encoder().writeHeaders(context(), stream.id(), HttpConversionUtil.toHttp2Headers(head, false), 0, endStream, quiet());
    }

    // ---- GOAWAY

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
