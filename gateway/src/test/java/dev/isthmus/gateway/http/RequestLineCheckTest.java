package dev.isthmus.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the HTTP/2 session fuzzer found (seed 3, iteration 1025): a GET whose {@code :path} holds a space,
 * in a HEADERS frame that ends the stream, leaked a buffer per request inside Netty's conversion to
 * HTTP/1. The stream's handlers as {@link HttpSessionInstaller} installs them, in front of the
 * converter, over an allocator that remembers what it gave out: every buffer must be released, and the
 * peer gets the reset it got before.
 */
class RequestLineCheckTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|/ eady", "GET|/a\tb", "GET|/x\u0000y", "G ET|/ready", "''|/ready"})
    void malformedRequestLineIsResetWithoutLeak(String method, String path) {
        List<ByteBuf> allocated = new ArrayList<>();
        EmbeddedChannel stream = new EmbeddedChannel(RequestLineCheck.INSTANCE, new Http2StreamFrameToHttpObjectCodec(true),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // The conversion's failure, without the check: HttpProxyHandler resets the stream so.
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR)).addListener(ChannelFutureListener.CLOSE);
                    }
                });
        stream.config().setAllocator(remembering(allocated));

        stream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).method(method).path(path).scheme("https")
                .authority("gateway"), true));
        stream.runPendingTasks();

        Object reset = stream.readOutbound();
        assertInstanceOf(Http2ResetFrame.class, reset, "answer to :method " + method + " :path " + path);
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), ((Http2ResetFrame) reset).errorCode(), "RST_STREAM error code");
        assertNull(stream.readInbound(), "request passed on (expected: none)");
        stream.finishAndReleaseAll();
        for (ByteBuf buf : allocated) {
            assertEquals(0, buf.refCnt(), "buffer the conversion allocated: unreleased (expected: released)");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"GET|/ eady", "G ET|/ready", "''|/ready"})
    void theFirstHandlerOfAnInboundStreamChecksInFrontOfTheConversionWithoutLeak(String method, String path) {
        List<ByteBuf> allocated = new ArrayList<>();
        Responder none = (inbound, request) -> {
            throw new AssertionError("a malformed request reached the responder: " + request);
        };
        EmbeddedChannel stream = new EmbeddedChannel(
                new Http2StreamStart(none, new RequestMetrics(new GatewayMetrics(new SimpleMeterRegistry()), "svc:80", "peer")));
        stream.config().setAllocator(remembering(allocated));
        assertEquals(List.of(Http2StreamStart.class, Http2StreamFrameToHttpObjectCodec.class, HttpProxyHandler.class),
                stream.pipeline().toMap().values().stream().map(Object::getClass).toList(), "the stream's handlers");

        stream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).method(method).path(path).scheme("https")
                .authority("gateway"), true));
        stream.runPendingTasks();

        Object reset = stream.readOutbound();
        assertInstanceOf(Http2ResetFrame.class, reset, "answer to :method " + method + " :path " + path);
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), ((Http2ResetFrame) reset).errorCode(), "RST_STREAM error code");
        stream.finishAndReleaseAll();
        for (ByteBuf buf : allocated) {
            assertEquals(0, buf.refCnt(), "buffer the conversion allocated: unreleased (expected: released)");
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
