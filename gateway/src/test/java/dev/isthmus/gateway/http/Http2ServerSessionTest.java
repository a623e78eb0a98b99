package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The inbound HTTP/2 session's front, as HttpSessionInstaller builds it, fed hostile frames byte for
 * byte: what RFC 9113 says goes back on the wire, and nothing of the gateway's insides.
 */
class Http2ServerSessionTest {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 1, END_HEADERS = 4;

    /** One frame the gateway sent. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        long code() {
            int at = type == GOAWAY ? 4 : 0;
            return Unpooled.wrappedBuffer(payload).getUnsignedInt(at);
        }

        int debugLength() {
            return type == GOAWAY ? payload.length - 8 : 0;
        }
    }

    final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
    /**
     * Answers each request with a bodiless 204 (on {@code /echo/...} with the path in {@code x-echo}); on {@code /reset}
     * resets it, on {@code /slow} says nothing.
     */
    final Responder responder = (inbound, request) -> new LocalExchange() {
        @Override
        public void start() {
            ReferenceCountUtil.release(request);
            if (request.uri().equals("/reset")) {
                inbound.abort("asked to");
            } else if (request.uri().startsWith("/echo/")) {
                DefaultFullHttpResponse echo = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                        Unpooled.EMPTY_BUFFER);
                echo.headers().set("x-echo", request.uri());
                inbound.respond(echo);
            } else if (!request.uri().equals("/slow")) {
                inbound.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER));
            }
        }
    };
    final RequestMetrics requests = new RequestMetrics(new GatewayMetrics(new SimpleMeterRegistry()), "test:80", "test");
    final EmbeddedChannel channel = new EmbeddedChannel(new Http2PrefaceCheck(requests),
            Http2ServerSession.create(Http2Settings.defaultSettings().maxConcurrentStreams(10), 1000, new SessionParts(responder, requests)));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void http1BytesInsteadOfThePrefaceGetGoAwayProtocolErrorWithAPlainReason() {
        List<Frame> sent = feed("GET / HTTP/1.1\r\nHost: podinfo\r\n\r\n".getBytes(US_ASCII));
        Frame goAway = last(sent, GOAWAY);
        assertThat(goAway.code()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat(new String(goAway.payload(), 8, goAway.debugLength(), US_ASCII)).isEqualTo("invalid connection preface");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aPrefaceThatBreaksOffLateIsRefusedToo() {
        byte[] broken = PREFACE.clone();
        broken[PREFACE.length - 1] = 'X';
        List<Frame> sent = feed(broken);
        assertThat(last(sent, GOAWAY).code()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aPrefaceByteByByteIsAccepted() {
        List<Frame> sent = new ArrayList<>();
        for (byte b : PREFACE) {
            sent.addAll(feed(new byte[] {b}));
        }
        sent.addAll(feed(frame(SETTINGS, 0, 0, new byte[0])));
        assertThat(sent).extracting(Frame::type).doesNotContain(GOAWAY);
        assertThat(channel.pipeline().get(Http2PrefaceCheck.class)).as("the check, once passed").isNull();
    }

    @Test
    void headersOnAStreamLowerThanOneUsedAndNeverOpenedAreAConnectionErrorProtocolError() {
        open();
        feed(request(7, "/"));
        List<Frame> sent = feed(request(5, "/"));
        Frame goAway = last(sent, GOAWAY);
        assertThat(goAway.code()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat(goAway.debugLength()).as("debug data").isZero();
    }

    @Test
    void headersOnAStreamThatClosedAreAConnectionErrorStreamClosed() {
        open();
        assertThat(feed(request(3, "/"))).extracting(Frame::type).contains(HEADERS); // answered: closed both ways
        List<Frame> sent = feed(request(3, "/"));
        assertThat(last(sent, GOAWAY).code()).isEqualTo(Http2Error.STREAM_CLOSED.code());
    }

    @Test
    void headersOnAStreamTheGatewayResetAreNoConnectionError() {
        open();
        assertThat(feed(request(3, "/reset"))).extracting(Frame::type).contains(RST_STREAM);
        // The client may have sent these before our reset reached it (RFC 9113 §5.1, closed).
        List<Frame> sent = feed(request(3, "/"));
        assertThat(sent).extracting(Frame::type).doesNotContain(GOAWAY);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void headersOnAHalfClosedStreamAreAStreamErrorStreamClosed() {
        open();
        byte[] both = concat(requestWithoutAnswer(3), request(3, "/"));
        List<Frame> sent = feed(both);
        Frame reset = last(sent, RST_STREAM);
        assertThat(reset.stream()).isEqualTo(3);
        assertThat(reset.code()).isEqualTo(Http2Error.STREAM_CLOSED.code());
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aRequestWithoutMethodIsAStreamErrorProtocolError() {
        open();
        Http2Headers headers = new DefaultHttp2Headers().scheme("http").path("/").authority("podinfo");
        List<Frame> sent = feed(frame(HEADERS, END_STREAM | END_HEADERS, 3, encode(headers)));
        Frame reset = last(sent, RST_STREAM);
        assertThat(reset.code()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
    }

    @Test
    void aFrameCutIntoPiecesIsDecodedWhole() {
        open();
        byte[] request = request(3, "/");
        List<Frame> sent = new ArrayList<>();
        for (byte b : request) {
            sent.addAll(feed(new byte[] {b}));
        }
        assertThat(sent).extracting(Frame::type).contains(HEADERS).doesNotContain(GOAWAY, RST_STREAM);
    }

    /**
     * "MadeYouReset": each stream is made to fail with a stream error (a WINDOW_UPDATE of zero, RFC 9113 §6.9), so that
     * the gateway resets it; the limit Netty's builder puts on the resets a server sends (200 in 30 s) cuts the peer off.
     */
    @Test
    void aPeerThatMakesTheSessionResetStreamAfterStreamIsCutOffWithEnhanceYourCalm() {
        open();
        List<Frame> sent = new ArrayList<>();
        for (int stream = 3; stream < 3 + 2 * 250 && channel.isOpen(); stream += 2) {
            sent.addAll(feed(concat(requestWithoutAnswer(stream), frame(WINDOW_UPDATE, 0, stream, new byte[4]))));
        }
        assertThat(sent.stream().filter(f -> f.type() == RST_STREAM))
                .as("the resets up to the one over the limit").hasSizeBetween(200, 201)
                .allMatch(f -> f.code() == Http2Error.PROTOCOL_ERROR.code());
        assertThat(last(sent, GOAWAY).code()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * "CONTINUATION flood": a header block sent as a HEADERS frame and endless one-byte CONTINUATION frames is a
     * connection error once more than 16 small ones have come (the limit Netty's builder puts on its frame reader),
     * long before any header list limit is reached.
     */
    @Test
    void aHeaderBlockInTinyContinuationFramesIsCutOff() {
        open();
        byte[] block = encode(new DefaultHttp2Headers().method("GET").scheme("http").path("/").authority("podinfo")
                .add("x-padding", "p".repeat(64)));
        byte[] frames = frame(HEADERS, END_STREAM, 3, Arrays.copyOf(block, 1));
        for (int i = 1; i < block.length; i++) {
            frames = concat(frames, frame(CONTINUATION, i == block.length - 1 ? END_HEADERS : 0, 3, new byte[] {block[i]}));
        }
        List<Frame> sent = feed(frames);
        assertThat(last(sent, GOAWAY).code()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        assertThat(sent).extracting(Frame::type).doesNotContain(HEADERS);
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * A peer that sends PINGs and never reads their acknowledgements: once 10,000 are waiting to be written (the limit
     * Netty's builder puts on queued control frames), the session closes the connection instead of queuing more.
     */
    @Test
    void aPeerThatSendsPingsAndReadsNoAcknowledgementIsCutOff() {
        HeldWrites held = new HeldWrites();
        EmbeddedChannel flooded = new EmbeddedChannel(held, new Http2PrefaceCheck(requests),
                Http2ServerSession.create(Http2Settings.defaultSettings(), 1000, new SessionParts(responder, requests)));
        try {
            flooded.writeInbound(Unpooled.wrappedBuffer(concat(PREFACE, frame(SETTINGS, 0, 0, new byte[0]))));
            flooded.writeInbound(Unpooled.wrappedBuffer(pings(9_000)));
            assertThat(flooded.isOpen()).as("open with 9,000 acknowledgements queued").isTrue();
            flooded.writeInbound(Unpooled.wrappedBuffer(pings(2_000)));
            assertThat(flooded.isOpen()).as("closed with 11,000 acknowledgements queued").isFalse();
        } finally {
            flooded.finishAndReleaseAll();
            held.release();
        }
    }

    private static byte[] pings(int count) {
        byte[] ping = frame(PING, 0, 0, new byte[8]);
        byte[] all = new byte[ping.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(ping, 0, all, i * ping.length, ping.length);
        }
        return all;
    }

    /** Keeps every write unwritten, as a socket whose peer reads nothing; {@link #release} fails them, as a close does. */
    private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        private final List<Object> writes = new ArrayList<>();
        private final List<ChannelPromise> promises = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            writes.add(msg);
            promises.add(promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {}

        void release() {
            writes.forEach(ReferenceCountUtil::release);
            promises.forEach(promise -> promise.tryFailure(new ClosedChannelException()));
            writes.clear();
            promises.clear();
        }
    }

    /**
     * A client that offers the session a larger HPACK table than the initial 4,096 bytes (Chrome offers 64 KiB) keeps
     * the initial one. Netty's encoder, with the session's 16 hash buckets, would take 1,024 bytes of the offer and
     * announce it: a smaller table than a client that offers nothing gets. No table size update is announced, and the
     * client's decoder reads every response, each with a field of its own ({@code x-echo}).
     */
    @Test
    void aClientOfferingALargerHeaderTableKeepsTheInitialOne() throws Exception {
        assertThat(tableSizeUpdatesAfterOffering(1L << 30)).as("table size updates announced").isEmpty();
    }

    /** A client that offers a smaller table than the initial one gets it, announced before the first response. */
    @Test
    void aClientOfferingASmallHeaderTableGetsIt() throws Exception {
        assertThat(tableSizeUpdatesAfterOffering(256)).containsExactly(256L);
    }

    /**
     * Opens the connection with SETTINGS_HEADER_TABLE_SIZE set to {@code offered}, asks for 200 echoes, decodes each
     * response as a client that made that offer does, and returns the table size updates the responses began with.
     */
    private List<Long> tableSizeUpdatesAfterOffering(long offered) throws Exception {
        byte[] headerTableSize = {0, 1, 0, 0, 0, 0};
        Unpooled.wrappedBuffer(headerTableSize).setInt(2, (int) offered);
        feed(concat(PREFACE, frame(SETTINGS, 0, 0, headerTableSize)));
        DefaultHttp2HeadersDecoder client = new DefaultHttp2HeadersDecoder(true);
        client.configuration().maxHeaderTableSize(offered);
        List<Long> updates = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int stream = 3 + 2 * i;
            String path = "/echo/" + "0".repeat(40) + i;
            byte[] block = last(feed(request(stream, path)), HEADERS).payload();
            updates.addAll(tableSizeUpdates(block));
            assertThat(client.decodeHeaders(stream, Unpooled.wrappedBuffer(block)).get("x-echo")).hasToString(path);
        }
        return updates;
    }

    /** The dynamic table size updates (RFC 7541 section 6.3) a header block begins with. */
    private static List<Long> tableSizeUpdates(byte[] block) {
        List<Long> sizes = new ArrayList<>();
        int at = 0;
        while (at < block.length && (block[at] & 0xE0) == 0x20) {
            long size = block[at++] & 0x1F;
            if (size == 0x1F) {
                int shift = 0;
                int b;
                do {
                    b = block[at++] & 0xFF;
                    size += (long) (b & 0x7F) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0);
            }
            sizes.add(size);
        }
        return sizes;
    }

    private void open() {
        feed(concat(PREFACE, frame(SETTINGS, 0, 0, new byte[0])));
    }

    /** A request not answered (yet): its stream stays half-closed (remote), as h2spec 5.1/6 has it. */
    private byte[] requestWithoutAnswer(int stream) {
        return request(stream, "/slow");
    }

    private byte[] request(int stream, String path) {
        Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority("podinfo");
        return frame(HEADERS, END_STREAM | END_HEADERS, stream, encode(headers));
    }

    private byte[] encode(Http2Headers headers) {
        return encode(hpack, headers);
    }

    /** A header block of {@code headers}, encoded by {@code hpack} (whose dynamic table it updates). */
    static byte[] encode(DefaultHttp2HeadersEncoder hpack, Http2Headers headers) {
        ByteBuf block = Unpooled.buffer();
        try {
            hpack.encodeHeaders(0, headers, block);
            byte[] bytes = new byte[block.readableBytes()];
            block.readBytes(bytes);
            return bytes;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            block.release();
        }
    }

    private List<Frame> feed(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
        ByteBuf out = Unpooled.buffer();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            out.writeBytes((ByteBuf) msg);
            ((ByteBuf) msg).release();
        }
        List<Frame> frames = new ArrayList<>();
        while (out.readableBytes() >= 9) {
            int length = out.readUnsignedMedium();
            int type = out.readUnsignedByte();
            int flags = out.readUnsignedByte();
            int stream = out.readInt() & Integer.MAX_VALUE;
            byte[] payload = new byte[length];
            out.readBytes(payload);
            frames.add(new Frame(type, flags, stream, payload));
        }
        out.release();
        return frames;
    }

    private static Frame last(List<Frame> frames, int type) {
        List<Frame> ofType = frames.stream().filter(f -> f.type() == type).toList();
        assertThat(ofType).as("frames of type %d among %s", type, frames.stream().map(Frame::type).toList()).isNotEmpty();
        return ofType.get(ofType.size() - 1);
    }

    /** One HTTP/2 frame's bytes. */
    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteBuf frame = Unpooled.buffer(9 + payload.length);
        frame.writeMedium(payload.length).writeByte(type).writeByte(flags).writeInt(stream).writeBytes(payload);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
