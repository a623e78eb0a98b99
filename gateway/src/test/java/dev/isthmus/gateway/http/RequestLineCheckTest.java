package dev.isthmus.gateway.http;

import static dev.isthmus.gateway.http.Http2ServerSessionTest.concat;
import static dev.isthmus.gateway.http.Http2ServerSessionTest.frame;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the HTTP/2 session fuzzer found (seed 3, iteration 1025): a GET whose {@code :path} holds a space, in a HEADERS
 * frame that ends the stream, leaked a buffer per request inside Netty's conversion to HTTP/1. The inbound session as
 * {@link HttpSessionInstaller} installs it, over an allocator that remembers what it gave out: such a request is reset
 * with PROTOCOL_ERROR, reaches no responder, and every buffer is released.
 */
class RequestLineCheckTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|/ eady", "GET|/a\tb", "G ET|/ready", "''|/ready", "GET|/x\u007fy"})
    void aRequestLineThatCouldNotBeAnHttp1OneIsNotValid(String method, String path) {
        assertFalse(RequestLineCheck.valid(new DefaultHttp2Headers(false).method(method).path(path)), method + " " + path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|/ready", "OPTIONS|*", "PATCH|/a?b=c%20d"})
    void anOrdinaryRequestLineIsValid(String method, String path) {
        assertTrue(RequestLineCheck.valid(new DefaultHttp2Headers(false).method(method).path(path)), method + " " + path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|/ eady", "GET|/a\tb", "G ET|/ready", "''|/ready"})
    void malformedRequestLineIsResetWithoutLeakAndReachesNoResponder(String method, String path) {
        List<ByteBuf> allocated = new ArrayList<>();
        Responder none = (inbound, request) -> {
            throw new AssertionError("a malformed request reached the responder: " + request);
        };
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(remembering(allocated));
        channel.pipeline().addLast(Http2ServerSession.create(Http2Settings.defaultSettings(), 1000,
                new SessionParts(none, new RequestMetrics(new GatewayMetrics(new SimpleMeterRegistry()), "svc:80", "peer"))));
        ByteBuf block = Unpooled.buffer();
        try {
            new DefaultHttp2HeadersEncoder().encodeHeaders(1, new DefaultHttp2Headers(false).method(method).path(path)
                    .scheme("https").authority("gateway"), block);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        byte[] headers = new byte[block.readableBytes()];
        block.readBytes(headers).release();

        channel.writeInbound(Unpooled.wrappedBuffer(concat(concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII),
                frame(Http2ServerSessionTest.SETTINGS, 0, 0, new byte[0])), frame(Http2ServerSessionTest.HEADERS, 5, 1, headers))));
        channel.runPendingTasks();

        ByteBuf out = Unpooled.buffer();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            out.writeBytes((ByteBuf) msg);
            ((ByteBuf) msg).release();
        }
        long reset = -1;
        while (out.readableBytes() >= 9) {
            int length = out.readUnsignedMedium();
            int type = out.readUnsignedByte();
            out.skipBytes(1);
            int stream = out.readInt();
            if (type == Http2ServerSessionTest.RST_STREAM && stream == 1) {
                reset = out.getUnsignedInt(out.readerIndex());
            }
            out.skipBytes(length);
        }
        out.release();
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset, "RST_STREAM error code for :method " + method + " :path " + path);
        assertTrue(channel.isOpen(), "the connection, after one malformed request");
        channel.finishAndReleaseAll();
        for (ByteBuf buf : allocated) {
            assertEquals(0, buf.refCnt(), "buffer allocated for the connection: unreleased (expected: released)");
        }
    }

    /** Plain heap buffers, each remembered, so that a test sees what it would otherwise only learn from a GC. */
    private static ByteBufAllocator remembering(List<ByteBuf> allocated) {
        return new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
                allocated.add(buf);
                return buf;
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf buf = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
                allocated.add(buf);
                return buf;
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
    }
}
