package dev.isthmus.benchmarks.gateway;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.gateway.http.OneBufferFrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.GatewayHttp2Codec;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What Netty's HTTP/1.1 codecs, the conversions between its HTTP/1 and HTTP/2 objects, and its HTTP/2 connection cost
 * for one exchange of the peer benchmark's two-hop path, without sockets, TLS, the gateway's own handlers or its pipelines: the question is how much
 * of the gateways' CPU per request (about 20 µs of user time over both hops, against HAProxy's 11-13, in
 * benchmarks/README.md, "The transport against the HTTP layer") these pieces are, and so what an HTTP layer of our own
 * could take back.
 *
 * <p>The exchange is wrk's {@code GET /} with only a {@code Host} field, answered by the peer benchmark's nginx backend
 * with its 39-byte JSON body. Each piece is the call the gateway makes (with Netty's default size limits, where the
 * gateway sets its own; they do not change the work for a head this small):
 * <ul>
 *   <li>{@link #http1ServerSide}: west's {@code HttpServerCodec} reads the client's request and writes the response;</li>
 *   <li>{@link #conversions}: the four conversions, each the one the gateway makes (west's request to HTTP/2 fields,
 *       east's fields to an HTTP/1 request, east's response to fields, west's fields to an HTTP/1 response);</li>
 *   <li>{@link #hpack}: the request's fields HPACK-encoded by west and decoded by east, the response's the other way,
 *       on tables that live as long as the benchmark, as a connection's do;</li>
 *   <li>{@link #http1ClientSide}: east's {@code HttpClientCodec} writes the request to the backend and reads its response;</li>
 *   <li>{@link #exchange}: all of them in the order of one exchange, each feeding the next;</li>
 *   <li>{@link #http2Stream}: the exchange's stream between two of Netty's HTTP/2 connection handlers, configured as the
 *       gateway's sessions are: frames, stream states, flow control and HPACK;</li>
 *   <li>{@link #http2StreamOneBufferFrames}: {@link #http2Stream} with the gateway's own frame writer, which writes a
 *       frame as one buffer;</li>
 *   <li>{@link #http2FramesOnly}: the same stream's frames written by Netty's frame writer and read by its frame reader
 *       (HPACK included) between the same embedded channels, with no connection, stream states, flow control or
 *       promises: the floor of an HTTP/2 connection layer of our own that keeps Netty's frame codec.</li>
 * </ul>
 * Baselines: {@link #baselineCopyBytes} copies the exchange's HTTP/1.1 bytes, request and response, once per hop: the
 * least a proxy that moves them must do. {@link #baselineHttp2StreamPump} carries bytes between two embedded channels as
 * {@link #http2Stream} does, with no protocol: the embedded channels' share of that piece.
 *
 * <p>The codecs run in {@link EmbeddedChannel}s, whose own cost (about 0.2 µs for each pass of bytes, from the pump
 * baseline) is in the two HTTP/1 pieces as well. Results and what they say: benchmarks/README.md, "HttpLayerBenchmark".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class HttpLayerBenchmark {

    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n".getBytes(US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 19:30:00 GMT\r\n"
            + "Content-Type: application/json\r\nContent-Length: 39\r\nConnection: keep-alive\r\n\r\n"
            + "{\"message\":\"hello from east\",\"ok\":true}").getBytes(US_ASCII);
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final AsciiString HTTP = AsciiString.cached("http");

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private EmbeddedChannel west;
    private EmbeddedChannel east;
    private DefaultHttp2HeadersEncoder westEncoder;
    private DefaultHttp2HeadersDecoder eastDecoder;
    private DefaultHttp2HeadersEncoder eastEncoder;
    private DefaultHttp2HeadersDecoder westDecoder;
    /** The pieces' inputs, as the piece before makes them; reused, never released. */
    private HttpRequest clientRequest;
    private Http2Headers requestFields;
    private Http2Headers responseFields;
    private HttpRequest backendRequest;
    private HttpResponse backendResponse;
    private HttpResponse clientResponse;
    private ByteBuf body;
    /** {@link #http2Stream}'s two connection handlers, as Netty's builder makes them. */
    private Http2Pair nettys;
    /** {@link #http2StreamOneBufferFrames}'s, as the gateway's sessions make them. */
    private Http2Pair gateways;
    /** Streams west read to their end, and the baseline's answers: what tells each call that it was answered. */
    private long answered;
    private EmbeddedChannel echoWest;
    private EmbeddedChannel echoEast;
    private EmbeddedChannel framesWest;
    private EmbeddedChannel framesEast;
    private final DefaultHttp2FrameWriter framesWestWriter = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameWriter framesEastWriter = new DefaultHttp2FrameWriter();
    private int framesStreamId = 1;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        west = new EmbeddedChannel(new HttpServerCodec());
        east = new EmbeddedChannel(new HttpClientCodec());
        westEncoder = new DefaultHttp2HeadersEncoder();
        eastDecoder = new DefaultHttp2HeadersDecoder(true);
        eastEncoder = new DefaultHttp2HeadersEncoder();
        westDecoder = new DefaultHttp2HeadersDecoder(true);
        body = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("{\"message\":\"hello from east\",\"ok\":true}", US_ASCII));
        clientRequest = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", HEADERS);
        clientRequest.headers().set(HttpHeaderNames.HOST, "127.0.0.1:18080");
        requestFields = toFields(clientRequest);
        backendRequest = toRequest(requestFields);
        backendResponse = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, HEADERS);
        backendResponse.headers().set(HttpHeaderNames.SERVER, "nginx/1.22.1").set(HttpHeaderNames.DATE, "Mon, 07 Dec 2026 19:30:00 GMT")
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json").set(HttpHeaderNames.CONTENT_LENGTH, "39");
        responseFields = HttpConversionUtil.toHttp2Headers(backendResponse, false);
        clientResponse = toResponse(responseFields);
        setUpHttp2();
    }

    /** The two pairs of HTTP/2 connection handlers, and the pump baseline's two ends. */
    private void setUpHttp2() {
        nettys = new Http2Pair((server, listener) -> new Http2ConnectionHandlerBuilder().connection(connection(server))
                .frameListener(listener).build());
        gateways = new Http2Pair((server, listener) -> {
            GatewayHttp2Codec codec = new GatewayHttp2Codec(connection(server), Http2Settings.defaultSettings(),
                    OneBufferFrameWriter.create(), server);
            return new Http2ConnectionHandlerBuilder().codec(codec.decoder(), codec.encoder()).frameListener(listener).build();
        });
        // The baseline's: east answers each buffer with the response's bytes; west reads them.
        echoWest = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                answered++;
            }
        });
        echoEast = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                ctx.write(ctx.alloc().buffer(RESPONSE.length).writeBytes(RESPONSE), ctx.voidPromise());
            }
        });
        setUpFramesOnly();
    }

    /**
     * Netty's frame reader and writer alone, west's and east's, in the same embedded channels: east answers each HEADERS
     * frame with the response's HEADERS and DATA frames; west counts the DATA frames that end a stream.
     */
    private void setUpFramesOnly() {
        framesWest = new EmbeddedChannel(frameReader(new Http2FrameAdapter() {
            @Override
            public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                if (endOfStream) {
                    answered++;
                }
                return data.readableBytes() + padding;
            }
        }));
        framesEast = new EmbeddedChannel(frameReader(new Http2FrameAdapter() {
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                    boolean endOfStream) {
                framesEastWriter.writeHeaders(ctx, streamId, responseFields, 0, false, ctx.voidPromise());
                framesEastWriter.writeData(ctx, streamId, body.duplicate(), 0, true, ctx.voidPromise());
            }
        }));
    }

    /** Frames read as Netty's connection handler reads them: bytes gathered until whole frames are there. */
    private static ByteToMessageDecoder frameReader(Http2FrameListener listener) {
        DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(true);
        return new ByteToMessageDecoder() {
            @Override
            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
                reader.readFrame(ctx, in, listener);
            }
        };
    }

    /** A connection that shares out its send window as the gateway's do: uniformly, with no priority tree. */
    private static Http2Connection connection(boolean server) {
        DefaultHttp2Connection connection = new DefaultHttp2Connection(server);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
                new UniformStreamByteDistributor(connection)));
        return connection;
    }

    /** Carries the bytes each side wrote to the other until neither has more. */
    private static void pump(EmbeddedChannel west, EmbeddedChannel east) {
        boolean moved = true;
        while (moved) {
            moved = carry(west, east) | carry(east, west);
        }
    }

    private static boolean carry(EmbeddedChannel from, EmbeddedChannel to) {
        from.flushOutbound();
        boolean moved = false;
        for (ByteBuf bytes; (bytes = from.readOutbound()) != null; ) {
            to.writeInbound(bytes);
            moved = true;
        }
        to.flushOutbound();
        return moved;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        west.finishAndReleaseAll();
        east.finishAndReleaseAll();
        nettys.close();
        gateways.close();
        echoWest.finishAndReleaseAll();
        echoEast.finishAndReleaseAll();
        framesWest.finishAndReleaseAll();
        framesEast.finishAndReleaseAll();
    }

    /** West's {@code HttpServerCodec}, which faces the client: it reads the request and writes the response. */
    @Benchmark
    public void http1ServerSide(Blackhole hole) {
        hole.consume(readRequest());
        writeResponse(clientResponse, null);
    }

    /** East writes the request to the backend and reads its response: {@code HttpClientCodec}. */
    @Benchmark
    public void http1ClientSide(Blackhole hole) {
        writeRequestToBackend(backendRequest);
        hole.consume(readBackendResponse());
    }

    /** The four conversions between HTTP/1 objects and HTTP/2 fields. */
    @Benchmark
    public void conversions(Blackhole hole) throws Http2Exception {
        hole.consume(toFields(clientRequest));
        hole.consume(toRequest(requestFields));
        hole.consume(HttpConversionUtil.toHttp2Headers(backendResponse, false));
        hole.consume(toResponse(responseFields));
    }

    /** The request's fields through west's HPACK encoder and east's decoder, the response's the other way. */
    @Benchmark
    public void hpack(Blackhole hole) throws Http2Exception {
        hole.consume(hop(westEncoder, eastDecoder, requestFields));
        hole.consume(hop(eastEncoder, westDecoder, responseFields));
    }

    /**
     * One stream between two of Netty's HTTP/2 connection handlers: west opens it with the request's fields, east
     * answers with the response's fields and body, west reads them; the frames' bytes and the streams' states, HPACK
     * and flow control included (so {@link #hpack} is part of it).
     */
    @Benchmark
    public long http2Stream() {
        return nettys.stream();
    }

    /** {@link #http2Stream} with the gateway's {@link OneBufferFrameWriter}: a frame, a buffer. */
    @Benchmark
    public long http2StreamOneBufferFrames() {
        return gateways.stream();
    }

    /**
     * {@link #http2Stream}'s frames, and only them: west writes the request's HEADERS frame, east reads it and writes
     * the response's HEADERS and DATA frames, west reads those. What is left of {@link #http2Stream} without Netty's
     * connection layer (stream states, flow control, the encoder's and decoder's checks, a promise per frame).
     */
    @Benchmark
    public long http2FramesOnly() {
        long before = answered;
        int streamId = framesStreamId;
        framesStreamId += 2;
        framesWestWriter.writeHeaders(framesWest.pipeline().firstContext(), streamId, requestFields, 0, true,
                framesWest.voidPromise());
        pump(framesWest, framesEast);
        if (answered != before + 1) {
            throw new IllegalStateException("stream " + streamId + " was not answered");
        }
        return answered;
    }

    /**
     * The embedded channels' share of {@link #http2Stream}: the same carrying of bytes between two of them, where west
     * writes the request's HTTP/1.1 bytes and east answers with the response's, with no protocol in between.
     */
    @Benchmark
    public long baselineHttp2StreamPump() {
        long before = answered;
        echoWest.write(alloc.buffer(REQUEST.length).writeBytes(REQUEST), echoWest.voidPromise());
        pump(echoWest, echoEast);
        if (answered != before + 1) {
            throw new IllegalStateException("the echo was not answered");
        }
        return answered;
    }

    /** All of the above but {@link #http2Stream}, each piece's output the next one's input. */
    @Benchmark
    public void exchange(Blackhole hole) throws Http2Exception {
        hole.consume(exchangeOnce(null));
    }

    /**
     * One exchange. When {@code seen} is not null (the benchmark's test), the head of the request east writes to the
     * backend and the bytes west writes to the client go to it, as strings.
     */
    HttpResponse exchangeOnce(List<String> seen) throws Http2Exception {
        HttpRequest atWest = readRequest();
        Http2Headers atEast = hop(westEncoder, eastDecoder, toFields(atWest));
        HttpRequest toBackend = toRequest(atEast);
        if (seen != null) {
            seen.add(toBackend.method() + " " + toBackend.uri() + " " + toBackend.headers());
        }
        writeRequestToBackend(toBackend);
        HttpResponse fromBackend = readBackendResponse();
        Http2Headers backAtWest = hop(eastEncoder, westDecoder, HttpConversionUtil.toHttp2Headers(fromBackend, false));
        HttpResponse toClient = toResponse(backAtWest);
        writeResponse(toClient, seen);
        return toClient;
    }

    /** The HTTP/1.1 bytes of the request and the response, copied once per hop. */
    @Benchmark
    public void baselineCopyBytes(Blackhole hole) {
        for (int hop = 0; hop < 2; hop++) {
            ByteBuf request = alloc.buffer(REQUEST.length).writeBytes(REQUEST);
            ByteBuf response = alloc.buffer(RESPONSE.length).writeBytes(RESPONSE);
            hole.consume(request.getByte(0) + response.getByte(0));
            request.release();
            response.release();
        }
    }

    /** Makes a connection handler: a server or a client, reading with {@code listener}. */
    private interface HandlerMaker {
        Http2ConnectionHandler make(boolean server, Http2FrameListener listener);
    }

    /**
     * Two HTTP/2 connection handlers, west a client and east a server, in embedded channels whose bytes {@link #pump}
     * carries across; east answers every request with the response's fields and body, west counts the answers.
     */
    private final class Http2Pair {
        private final Http2ConnectionHandler westHandler;
        private Http2ConnectionHandler eastHandler;
        private final EmbeddedChannel west;
        private final EmbeddedChannel east;

        Http2Pair(HandlerMaker maker) {
            westHandler = maker.make(false, new Http2FrameAdapter() {
                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                    if (endOfStream) {
                        answered++;
                    }
                    return data.readableBytes() + padding;
                }
            });
            eastHandler = maker.make(true, new Http2FrameAdapter() {
                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                        short weight, boolean exclusive, int padding, boolean endOfStream) {
                    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                        boolean endOfStream) {
                    eastHandler.encoder().writeHeaders(ctx, streamId, responseFields, 0, false, ctx.voidPromise());
                    eastHandler.encoder().writeData(ctx, streamId, body.duplicate(), 0, true, ctx.voidPromise());
                }
            });
            west = new EmbeddedChannel(westHandler);
            east = new EmbeddedChannel(eastHandler);
            pump(west, east); // the prefaces and SETTINGS, and their acknowledgements
        }

        /** One stream, opened by west and answered by east; the count of answers so far. */
        long stream() {
            long before = answered;
            int streamId = westHandler.connection().local().incrementAndGetNextStreamId();
            westHandler.encoder().writeHeaders(west.pipeline().firstContext(), streamId, requestFields, 0, true,
                    west.voidPromise());
            pump(west, east);
            if (answered != before + 1) {
                throw new IllegalStateException("stream " + streamId + " was not answered");
            }
            return answered;
        }

        void close() {
            west.finishAndReleaseAll();
            east.finishAndReleaseAll();
        }
    }

    // ---- the pieces, as the gateway makes each call

    private HttpRequest readRequest() {
        west.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        HttpRequest request = west.readInbound();
        ReferenceCountUtil.release(west.readInbound()); // the empty last content
        return request;
    }

    private void writeResponse(HttpResponse response, List<String> seen) {
        west.writeOutbound(response, new DefaultLastHttpContent(body.duplicate()));
        for (Object written; (written = west.readOutbound()) != null; ) {
            if (seen != null) {
                seen.add(((ByteBuf) written).toString(US_ASCII));
            }
            ReferenceCountUtil.release(written);
        }
    }

    /** A request without a body, as east makes it: a whole request, its own last content. */
    private void writeRequestToBackend(HttpRequest request) {
        east.writeOutbound(request);
        releaseOutbound(east);
    }

    private HttpResponse readBackendResponse() {
        east.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
        HttpResponse response = east.readInbound();
        HttpContent content = east.readInbound();
        content.release();
        return response;
    }

    /** West's conversion of an origin-form request: as {@code Http2ClientSession.fields}. */
    private static Http2Headers toFields(HttpRequest request) {
        Http2Headers out = new DefaultHttp2Headers(false, request.headers().size());
        out.path(new AsciiString(request.uri())).scheme(HTTP);
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            out.authority(new AsciiString(host));
        }
        out.method(request.method().asciiName());
        HttpConversionUtil.toHttp2Headers(request.headers(), out);
        return out;
    }

    /** East's conversion of a request's fields: as {@code Http2ServerSession.request}, for a request without a body. */
    private static HttpRequest toRequest(Http2Headers fields) throws Http2Exception {
        HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(fields.method().toString()), fields.path().toString(), Unpooled.EMPTY_BUFFER,
                HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        HttpConversionUtil.addHttp2ToHttpHeaders(1, fields, request.headers(), HttpVersion.HTTP_1_1, true, true);
        return request;
    }

    /** West's conversion of a response's fields: as {@code Http2ClientSession.response}, for a response with a body. */
    private static HttpResponse toResponse(Http2Headers fields) throws Http2Exception {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpConversionUtil.parseStatus(fields.status()), HEADERS);
        HttpConversionUtil.addHttp2ToHttpHeaders(1, fields, response.headers(), HttpVersion.HTTP_1_1, true, false);
        return response;
    }

    private Http2Headers hop(DefaultHttp2HeadersEncoder encoder, DefaultHttp2HeadersDecoder decoder, Http2Headers fields)
            throws Http2Exception {
        ByteBuf block = alloc.buffer();
        try {
            encoder.encodeHeaders(1, fields, block);
            return decoder.decodeHeaders(1, block);
        } finally {
            block.release();
        }
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        for (Object written; (written = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(written);
        }
    }
}
