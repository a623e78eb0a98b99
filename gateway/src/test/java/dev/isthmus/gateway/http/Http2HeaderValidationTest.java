package dev.isthmus.gateway.http;

import static dev.isthmus.gateway.http.Http2ServerSessionTest.concat;
import static dev.isthmus.gateway.http.Http2ServerSessionTest.encode;
import static dev.isthmus.gateway.http.Http2ServerSessionTest.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Header fields over HTTP/2 that must never reach a backend's HTTP/1 connection, through an inbound session as
 * {@link HttpSessionInstaller} installs it. The HPACK decoder validates names and values; the conversion to HTTP/1
 * objects does not validate them a second time (see {@link Http2ServerSession}), so these hold what both checks
 * together held: each such request is refused with {@code PROTOCOL_ERROR}, and the responder sees nothing of it.
 */
class Http2HeaderValidationTest {

    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, GOAWAY = 7;
    static final int END_STREAM = 1, END_HEADERS = 4;

    /** What reached the responder: request heads, and every piece of body and trailer after them. */
    final List<HttpObject> seen = new ArrayList<>();
    final Responder recording = (inbound, request) -> {
        seen.add(request);
        return new Exchange() {
            @Override
            public void start() {}

            @Override
            public void requestContent(HttpContent content) {
                seen.add(content.retainedDuplicate());
                content.release();
            }

            @Override
            public boolean wantsRequestContent() {
                return true;
            }

            @Override
            public void inboundReadComplete() {}

            @Override
            public void inboundWritable() {}

            @Override
            public void inboundClosed() {}
        };
    };
    final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
    final EmbeddedChannel channel = new EmbeddedChannel(Http2ServerSession.create(Http2Settings.defaultSettings().maxConcurrentStreams(10),
            1000, new SessionParts(recording, new RequestMetrics(new GatewayMetrics(new SimpleMeterRegistry()), "svc:80", "peer"))));

    @AfterEach
    void close() {
        seen.forEach(io.netty.util.ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b"})
    void aHeaderValueWithCrLfOrNulIsResetBeforeAnyRequestIsMade(String value) {
        open();
        Http2Headers headers = new DefaultHttp2Headers(false).method("GET").scheme("https").path("/").authority("svc")
                .add("x-note", value);
        List<int[]> sent = feed(frame(HEADERS, END_STREAM | END_HEADERS, 3, encode(hpack, headers)));

        assertThat(sent).as("frames: {type, stream, code}").anySatisfy(f -> assertThat(f).containsExactly(RST_STREAM, 3,
                (int) Http2Error.PROTOCOL_ERROR.code()));
        assertThat(sent).noneSatisfy(f -> assertThat(f[0]).isEqualTo(GOAWAY));
        assertThat(seen).as("what reached the responder").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Upper", "x note", "x\u0000y", "x\r\ny", "x(y)"})
    void aHeaderNameThatIsNoLowerCaseTokenIsRefusedBeforeAnyRequestIsMade(String name) {
        open();
        Http2Headers headers = new DefaultHttp2Headers(false).method("GET").scheme("https").path("/").authority("svc")
                .add(name, "1");
        List<int[]> sent = feed(frame(HEADERS, END_STREAM | END_HEADERS, 3, encode(hpack, headers)));

        assertThat(sent).as("frames: {type, stream, code}").anySatisfy(f -> assertThat(f[0] == RST_STREAM && f[1] == 3 || f[0] == GOAWAY)
                .isTrue()).allSatisfy(f -> assertThat(f[0] != RST_STREAM && f[0] != GOAWAY || f[2] == Http2Error.PROTOCOL_ERROR.code())
                .isTrue());
        assertThat(seen).as("what reached the responder").isEmpty();
    }

    private void open() {
        feed(concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), frame(SETTINGS, 0, 0, new byte[0])));
    }


    /** Feeds bytes in; returns the frames that came out as {type, stream, error code (RST_STREAM, GOAWAY) or 0}. */
    private List<int[]> feed(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
        ByteBuf out = Unpooled.buffer();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            out.writeBytes((ByteBuf) msg);
            ((ByteBuf) msg).release();
        }
        List<int[]> frames = new ArrayList<>();
        while (out.readableBytes() >= 9) {
            int length = out.readUnsignedMedium();
            int type = out.readUnsignedByte();
            out.readUnsignedByte();
            int stream = out.readInt() & Integer.MAX_VALUE;
            ByteBuf payload = out.readSlice(length);
            int code = type == RST_STREAM ? payload.getInt(0) : type == GOAWAY ? payload.getInt(4) : 0;
            frames.add(new int[] {type, stream, code});
        }
        out.release();
        return frames;
    }
}
