package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpScheme;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.GatewayHttp2Codec;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client side of one HTTP/2 connection, frame by frame ({@link Http2FrameSession}): a connection of a backend pool
 * ({@link Http2Pool}), or the link probe's. Each exchange's request leaves as frames of its own stream ({@link Http2Call}),
 * and the frames of the response come back to the exchange as {@code HttpObject}s, converted here.
 *
 * <p>Backpressure is flow control: a call whose exchange paused reading keeps the bytes it received unconsumed, so the
 * upstream gets no WINDOW_UPDATE for them and stops within the stream's window; resuming consumes them. The upstream's
 * window is shared out by {@link UniformStreamByteDistributor}, not by the priorities RFC 9113 deprecated (Netty's
 * default allocates a state and polls a priority queue for every stream). The receive window of the connection is
 * widened to {@link ConnectionWindow}'s size once the preface is out.
 */
public final class Http2ClientSession extends Http2FrameSession<Http2Call> {

    private static final Logger log = Logger.getLogger(Http2ClientSession.class.getName());

    /** What the owner of the connection (a backend pool, or the link probe) hears of it. */
    public interface Owner {
        /** The upstream's SETTINGS: {@code maxConcurrentStreams} when it set a limit, else null. */
        void settings(Long maxConcurrentStreams);

        /** The upstream sent GOAWAY, or the connection ran out of stream ids: no new stream goes to it. */
        void goneAway();

        /** A stream of a lease ended, or a lease that never opened one was given back. */
        void callEnded();
    }

    /** Fields the HPACK decoder validated already. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    /**
     * For trailers that came in a HEADERS frame. A message that ends without any gets Netty's shared, read-only empty
     * trailers instead of a map of its own (about 0.2 KiB a message): nothing adds trailers to a message that has ended.
     */
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private final Owner owner;
    private final int connectionWindow;
    private AsciiString scheme;
    /** The {@code Host} of the latest request and its {@code :authority}: a pool's requests name one host. */
    private String lastHost;
    private AsciiString lastAuthority;
    private boolean widened;

    private Http2ClientSession(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
            Owner owner, int connectionWindow) {
        super(decoder, encoder, settings);
        this.owner = owner;
        this.connectionWindow = connectionWindow;
    }

    /**
     * A session sending {@code settings}, which closes without waiting for its open streams (as Netty's
     * {@code forClient()} codec: the pool closes a connection when its upstream ended its side, and its streams must
     * end with it, not 30 s later).
     *
     * @param connectionWindow the connection's receive window, to which it is widened once the preface is out
     */
    public static Http2ClientSession create(Http2Settings settings, int connectionWindow, Owner owner) {
        return new Builder(settings, owner, connectionWindow).build();
    }

    /** Netty's builder, which applies the header list limit of {@code settings} to the HPACK decoder, among others. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2ClientSession, Builder> {
        private final Owner owner;
        private final int connectionWindow;

        Builder(Http2Settings settings, Owner owner, int connectionWindow) {
            this.owner = owner;
            this.connectionWindow = connectionWindow;
            DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
            GatewayHttp2Codec codec = new GatewayHttp2Codec(connection, settings, OneBufferFrameWriter.create(), false);
            codec(codec.decoder(), codec.encoder());
            initialSettings(settings);
            gracefulShutdownTimeoutMillis(0);
        }

        /**
         * A client: the connection passed in says so, but the builder may not be told with {@code server(false)} as
         * well, and without it would apply a server's defaults of its own (limits on RST_STREAM frames).
         */
        @Override
        protected boolean isServer() {
            return false;
        }

        @Override
        protected Http2ClientSession build() {
            return super.build();
        }

        @Override
        protected Http2ClientSession build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            return new Http2ClientSession(decoder, encoder, settings, owner, connectionWindow);
        }
    }

    /** A lease of a new stream of this connection; the stream itself opens with the request's head. */
    public Http2Call newCall(boolean reused) {
        return new Http2Call(this, reused);
    }

    /** Whether the upstream's concurrency limit allows one more stream now. */
    boolean canOpenStream() {
        return connection().local().canOpenStream();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx); // sends the preface if the channel is active already
        if (ctx.channel().isActive()) {
            widen();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // sends the preface
        widen();
    }

    /** Widens the connection's receive window right behind the SETTINGS of the preface; see {@link ConnectionWindow}. */
    private void widen() throws Http2Exception {
        if (!widened) {
            widened = true;
            if (ConnectionWindow.widen(connection(), connectionWindow)) {
                flush();
            }
        }
    }

    // ---- writing, for the calls

    /**
     * Opens the call's stream with the request's head. A stream that could not be opened (the connection closed or
     * went away meanwhile, or the head broke an HPACK limit) ends its call on the next turn of the event loop, not
     * within the exchange's own write.
     *
     * @return the stream, or null when it was not opened
     */
    Http2Stream open(Http2Call call, HttpRequest request, boolean endStream) {
        int id = connection().local().incrementAndGetNextStreamId();
        Http2Stream stream = null;
        if (id > 0) {
            try {
                encoder().writeHeaders(context(), id, fields(request), 0, endStream, quiet());
                stream = connection().stream(id);
            } catch (RuntimeException e) {
                log.log(Level.FINE, "could not open a stream for " + request.method() + " " + request.uri(), e);
            }
        } else {
            owner.goneAway(); // stream ids exhausted: the next exchange takes a new connection
        }
        if (stream == null || stream.state() == Http2Stream.State.CLOSED) {
            context().executor().execute(call::closed);
            return null;
        }
        own(stream, call);
        return stream;
    }

    /**
     * The request's head as HTTP/2 fields. A target in origin or asterisk form (every one a {@link Forwarder} rewrote) is
     * converted here: {@code :scheme} is the connection's, {@code :authority} the {@code Host} field's without userinfo,
     * made once while the host stays the same, and the other fields go through Netty's rules (connection-specific ones
     * out, {@code TE} only as {@code trailers}, cookies split). Netty's conversion of the whole message would parse an
     * empty URI for each such request and read the scheme back from an extension field set for it; a target in any
     * other form, and CONNECT, still go to it.
     */
    private Http2Headers fields(HttpRequest request) {
        String target = request.uri();
        if (request.method() == HttpMethod.CONNECT || !HttpUtil.isOriginForm(target) && !HttpUtil.isAsteriskForm(target)) {
            request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme());
            return HttpConversionUtil.toHttp2Headers(request, false);
        }
        HttpHeaders in = request.headers();
        Http2Headers out = new DefaultHttp2Headers(false, in.size());
        // In the order Netty's conversion adds them, so that the frames on the wire stay as they were.
        out.path(new AsciiString(target)).scheme(scheme());
        String host = in.get(HttpHeaderNames.HOST);
        if (host != null) {
            out.authority(authority(host));
        }
        out.method(request.method().asciiName());
        HttpConversionUtil.toHttp2Headers(in, out);
        return out;
    }

    /** {@code :authority} for a {@code Host} field: without userinfo, as RFC 9113 §8.3.1 says. */
    private AsciiString authority(String host) {
        if (host != lastHost && !host.equals(lastHost)) {
            int start = host.indexOf('@') + 1;
            if (start > 0 && start == host.length()) {
                throw new IllegalArgumentException("Host '" + host + "' (expected: a host, with no userinfo)");
            }
            lastAuthority = new AsciiString(host, start, host.length() - start);
            lastHost = host;
        }
        return lastAuthority;
    }

    private AsciiString scheme() {
        if (scheme == null) {
            scheme = (context().pipeline().get(SslHandler.class) != null ? HttpScheme.HTTPS : HttpScheme.HTTP).name();
        }
        return scheme;
    }

    void callEnded() {
        owner.callEnded();
    }

    // ---- reading

    /** The call of stream {@code streamId}, in this read batch, if its exchange is still there. */
    private Http2Call reader(int streamId) {
        Http2Call call = owner(streamId);
        return call == null || !call.attached() ? null : reading(call);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        int bytes = data.readableBytes();
        Http2Call call = reader(streamId);
        if (call == null) {
            return bytes + padding; // a stream whose exchange is over: nothing holds the bytes
        }
        HttpContent content = endOfStream ? new DefaultLastHttpContent(data.retain(), EmptyHttpHeaders.INSTANCE)
                : new DefaultHttpContent(data.retain());
        return call.deliverData(content, bytes) + padding;
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
        Http2Call call = reader(streamId);
        if (call != null) {
            call.deliver(response(streamId, headers, endOfStream));
        }
    }

    /**
     * A HEADERS frame as the exchange reads it, as Netty's {@code Http2StreamFrameToHttpObjectCodec} converts it: a 1xx
     * response is a whole message; a final one without a body is too; one with a body is a head, chunked unless it says
     * its length; HEADERS that end the stream after a response are its trailers. What cannot be converted (a missing or
     * malformed {@code :status}) is a response whose decoder result says why. Unlike Netty's conversion, a whole
     * response without a body allocates no buffer for it, and no head carries an {@code x-http2-stream-id} field,
     * which the exchange would only strip again.
     */
    private HttpObject response(int streamId, Http2Headers headers, boolean endOfStream) {
        try {
            if (endOfStream && headers.status() == null) {
                LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
                HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, trailers.trailingHeaders(), HttpVersion.HTTP_1_1, true, false);
                return trailers;
            }
            HttpResponseStatus status = status(headers.status());
            int code = status.code();
            HttpResponse response = endOfStream || code >= 100 && code < 200 && code != 101
                    ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER, HEADERS.newHeaders(),
                            EmptyHttpHeaders.INSTANCE)
                    : new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, HEADERS);
            // Converted as trailers are: the same fields, without the stream id, and without dropping Connection, which
            // HTTP/2 never carries (the HPACK decoder refuses connection-specific fields).
            HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, response.headers(), HttpVersion.HTTP_1_1, true, false);
            if (!(response instanceof LastHttpContent) && code != 204 && code != 304 && !HttpUtil.isContentLengthSet(response)) {
                response.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            return response;
        } catch (Http2Exception | RuntimeException e) {
            HttpResponse malformed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
            malformed.setDecoderResult(DecoderResult.failure(e instanceof IllegalArgumentException ? e
                    : new IllegalArgumentException("response fields that make no HTTP/1 response: " + e.getMessage(), e)));
            return malformed;
        }
    }

    /** A response's {@code :status}; what is none says so in the terms of what was expected. */
    private static HttpResponseStatus status(CharSequence text) {
        try {
            return HttpConversionUtil.parseStatus(text);
        } catch (Http2Exception | RuntimeException e) {
            throw new IllegalArgumentException(":status " + (text == null ? "missing" : "'" + text + "'")
                    + " (expected: a three-digit status code)", e);
        }
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        owner.settings(settings.maxConcurrentStreams());
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        owner.goneAway(); // Netty closes the streams past lastStreamId itself, and their calls hear it
    }

    /** Push is disabled in the session's SETTINGS; a promise made anyway is refused. */
    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers, int padding) {
        resetStream(ctx, promisedStreamId, Http2Error.REFUSED_STREAM.code(), quiet());
    }

    // ---- the connection's end

    /**
     * The upstream ended its side (FIN, or TLS close_notify): it will answer no stream of this connection, so the
     * connection closes now and its streams with it. Connections allow half-closure (opaque tunnels need it); without
     * this close, streams in flight waited for their timeout and new ones were still opened on a connection whose
     * peer was gone (a remote gateway killed, say).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        boolean ended = event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent;
        super.userEventTriggered(ctx, event);
        if (ended) {
            log.fine(() -> "the upstream ended its side of HTTP/2 connection " + ctx.channel() + "; closing it");
            ctx.close();
        }
    }
}
