package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one-buffer writer puts on the wire exactly the bytes of Netty's writer, frame for frame (the HPACK state of each
 * carried along from frame to frame), in one buffer where Netty's uses two or more.
 */
class OneBufferFrameWriterTest {

    private final EmbeddedChannel ours = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final EmbeddedChannel netty = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final OneBufferFrameWriter oneBuffer = OneBufferFrameWriter.create();
    private final DefaultHttp2FrameWriter nettys = new DefaultHttp2FrameWriter();

    @AfterEach
    void close() {
        ours.finishAndReleaseAll();
        netty.finishAndReleaseAll();
    }

    @Test
    void headersFramesAreNettysBytesInOneBufferAndLaterOnesUseTheTablesTheEarlierOnesFilled() {
        for (int stream = 1; stream <= 7; stream += 2) {
            int id = stream;
            List<ByteBuf> written = sameBytes((writer, ctx) -> writer.writeHeaders(ctx, id, request("/items/" + id), 0,
                    id % 4 == 1, ctx.newPromise()));
            assertThat(written).as("stream %d", id).hasSize(1);
            written.forEach(ByteBuf::release);
        }
    }

    /**
     * The writer's HPACK encoder has fewer hash buckets over its dynamic table than Netty's default: more fields share
     * a bucket, but on a table of the same size what is indexed, found and evicted, so every byte, stays the same.
     * Three hundred blocks whose fields come from a hundred names and many values fill the 4,096-byte table over and
     * over.
     */
    @Test
    void withFewerBucketsThanNettysEncoderTheBytesStayNettysThroughTableFillsAndEvictions() {
        for (int request = 0; request < 300; request++) {
            int id = 2 * request + 1;
            Http2Headers headers = request("/items/" + request % 37).add("x-request-id", "req-" + request)
                    .add("cookie", "session=" + request % 23);
            for (int field = 0; field < 6; field++) {
                int name = (request * 7 + field * 13) % 100;
                headers.add("x-field-" + name, "value-" + name + "-" + (request + field) % 5);
            }
            List<ByteBuf> written = sameBytes((writer, ctx) -> writer.writeHeaders(ctx, id, headers, 0, true,
                    ctx.newPromise()));
            written.forEach(ByteBuf::release);
        }
        assertThat(OneBufferFrameWriter.HPACK_TABLE_BUCKETS).as("fewer than Netty's default of 64").isLessThan(64);
    }

    /**
     * A peer that offers a table of 1 GiB: the table stays at the initial 4,096 bytes, where Netty's encoder with the
     * writer's 16 buckets would take 1,024 of the offer. So every block, evictions included, is the bytes of Netty's
     * writer (64 buckets, 4,096 bytes), and no table size update is sent. A smaller offer is taken as Netty's writer
     * takes it, with the update that announces it.
     */
    @Test
    void aLargerTableThanTheDefaultIsNotTakenAndASmallerOneIs() throws Exception {
        oneBuffer.headersConfiguration().maxHeaderTableSize(1L << 30);
        assertThat(oneBuffer.headersConfiguration().maxHeaderTableSize()).isEqualTo(4_096);
        for (int stream = 1; stream < 200; stream += 2) {
            int id = stream;
            Http2Headers unique = request("/").add("x-request-id", "req-" + "0".repeat(40) + id);
            sameBytes((writer, ctx) -> writer.writeHeaders(ctx, id, unique, 0, true, ctx.newPromise()))
                    .forEach(ByteBuf::release);
        }
        oneBuffer.headersConfiguration().maxHeaderTableSize(256);
        nettys.headersConfiguration().maxHeaderTableSize(256);
        List<ByteBuf> written = sameBytes((writer, ctx) -> writer.writeHeaders(ctx, 201, request("/"), 0, true,
                ctx.newPromise()));
        assertThat(written.get(0).getUnsignedByte(9) & 0xE0).as("a table size update first").isEqualTo(0x20);
        written.forEach(ByteBuf::release);
    }

    @Test
    void aHeaderBlockOverTheFrameSizeGoesOutAsHeadersAndContinuationFramesInOneBuffer() throws Exception {
        oneBuffer.maxFrameSize(16_384);
        nettys.maxFrameSize(16_384);
        oneBuffer.headersConfiguration().maxHeaderListSize(1 << 20);
        nettys.headersConfiguration().maxHeaderListSize(1 << 20);
        Http2Headers large = request("/").add("x-large", "v".repeat(40_000)); // three frames' worth, not indexed
        List<ByteBuf> written = sameBytes((writer, ctx) -> writer.writeHeaders(ctx, 3, large, 0, true, ctx.newPromise()));
        assertThat(written).hasSize(1);
        ByteBuf frames = written.get(0);
        assertThat(frameTypes(frames)).containsExactly("HEADERS END_STREAM", "CONTINUATION", "CONTINUATION END_HEADERS");
        frames.release();
    }

    @Test
    void aSmallDataFrameIsCopiedBehindItsHeadAndALargeOneGoesAsNettysWriterSendsIt() {
        byte[] small = "{\"ok\":true}".getBytes(US_ASCII);
        List<ByteBuf> written = sameBytes((writer, ctx) -> writer.writeData(ctx, 1, Unpooled.copiedBuffer(small), 0, true,
                ctx.newPromise()));
        assertThat(written).hasSize(1);
        written.forEach(ByteBuf::release);

        byte[] large = new byte[OneBufferFrameWriter.COPY_DATA_UP_TO + 1];
        written = sameBytes((writer, ctx) -> writer.writeData(ctx, 1, Unpooled.copiedBuffer(large), 0, false,
                ctx.newPromise()));
        assertThat(written).as("head and payload, as Netty's writer sends them").hasSize(2);
        written.forEach(ByteBuf::release);
    }

    @Test
    void paddedFramesAreNettysWritersToWrite() {
        List<ByteBuf> written = sameBytes((writer, ctx) -> writer.writeHeaders(ctx, 1, request("/"), 8, false, ctx.newPromise()));
        written.forEach(ByteBuf::release);
        written = sameBytes((writer, ctx) -> writer.writeData(ctx, 1, Unpooled.copiedBuffer(new byte[] {1, 2}), 8, true,
                ctx.newPromise()));
        written.forEach(ByteBuf::release);
    }

    @Test
    void aFrameForStreamZeroIsRefusedAsNettysWriterRefusesIt() {
        assertThat(outcome(writer -> writer.writeHeaders(context(ours), 0, request("/"), 0, true, ours.newPromise())))
                .isEqualTo(outcome(writer -> writer.writeHeaders(context(netty), 0, request("/"), 0, true, netty.newPromise()), nettys))
                .contains("Stream ID");
        assertThat(outcome(writer -> writer.writeData(context(ours), 0, Unpooled.buffer(1).writeByte(1), 0, true, ours.newPromise())))
                .isEqualTo(outcome(writer -> writer.writeData(context(netty), 0, Unpooled.buffer(1).writeByte(1), 0, true, netty.newPromise()), nettys))
                .contains("Stream ID");
        ours.flushOutbound();
        assertThat((Object) ours.readOutbound()).isNull();
    }

    /**
     * Fields over the peer's header list limit: the write fails as Netty's does, nothing goes out (and nothing leaks),
     * and the next block is encoded as Netty's writer encodes it, so the failed one left the HPACK tables alone.
     */
    @Test
    void aHeaderListOverThePeersLimitFailsTheWriteAsNettysWriterDoesAndLeavesHpackAsItWas() throws Exception {
        oneBuffer.headersConfiguration().maxHeaderListSize(1_000);
        nettys.headersConfiguration().maxHeaderListSize(1_000);
        Http2Headers large = request("/").add("x-large", "v".repeat(2_000));

        String ourOutcome = outcome(writer -> writer.writeHeaders(context(ours), 1, large, 0, true, ours.newPromise()));
        String nettysOutcome = outcome(writer -> writer.writeHeaders(context(netty), 1, large, 0, true, netty.newPromise()), nettys);

        assertThat(ourOutcome).isEqualTo(nettysOutcome).startsWith("failed: ").contains("Header size exceeded");
        ours.flushOutbound();
        assertThat((Object) ours.readOutbound()).isNull();
        netty.flushOutbound();
        netty.releaseOutbound();
        sameBytes((writer, ctx) -> writer.writeHeaders(ctx, 3, request("/after"), 0, true, ctx.newPromise()))
                .forEach(ByteBuf::release);
    }

    private String outcome(Function<Http2FrameWriter, ChannelFuture> write) {
        return outcome(write, oneBuffer);
    }

    /** What a write did: the exception it threw, or how its future ended. */
    private static String outcome(Function<Http2FrameWriter, ChannelFuture> write, Http2FrameWriter writer) {
        try {
            ChannelFuture future = write.apply(writer);
            return future.cause() == null ? "done" : "failed: " + future.cause();
        } catch (RuntimeException e) {
            return "threw: " + e;
        }
    }

    /** As Netty's writer: a caller that passes a void promise still gets back a future that completes. */
    @Test
    void aWriteWithAVoidPromiseReturnsAFutureThatCompletes() {
        ChannelFuture headers = oneBuffer.writeHeaders(context(ours), 1, request("/"), 0, false, ours.voidPromise());
        ChannelFuture data = oneBuffer.writeData(context(ours), 1, Unpooled.copiedBuffer(new byte[] {1}), 0, true,
                ours.voidPromise());
        assertThat(headers.isVoid()).isFalse();
        assertThat(data.isVoid()).isFalse();
        ours.flushOutbound();
        assertThat(headers.isSuccess()).isTrue();
        assertThat(data.isSuccess()).isTrue();
        ours.releaseOutbound();
    }

    /**
     * Has both writers write the same frame, asserts that their bytes are the same and each write succeeded, and
     * returns the buffers ours wrote (for the caller to release).
     */
    private List<ByteBuf> sameBytes(BiFunction<Http2FrameWriter, ChannelHandlerContext, ChannelFuture> write) {
        ChannelFuture ourWrite = write.apply(oneBuffer, context(ours));
        ChannelFuture nettysWrite = write.apply(nettys, context(netty));
        ours.flushOutbound();
        netty.flushOutbound();
        assertThat(ourWrite.isSuccess()).as("our write: %s", ourWrite.cause()).isTrue();
        assertThat(nettysWrite.isSuccess()).as("Netty's write: %s", nettysWrite.cause()).isTrue();
        List<ByteBuf> ourBuffers = drain(ours);
        List<ByteBuf> nettyBuffers = drain(netty);
        assertThat(hex(ourBuffers)).isEqualTo(hex(nettyBuffers));
        nettyBuffers.forEach(ByteBuf::release);
        return ourBuffers;
    }

    private static ChannelHandlerContext context(EmbeddedChannel channel) {
        return channel.pipeline().firstContext();
    }

    private static List<ByteBuf> drain(EmbeddedChannel channel) {
        List<ByteBuf> buffers = new ArrayList<>();
        for (ByteBuf buffer; (buffer = channel.readOutbound()) != null; ) {
            buffers.add(buffer);
        }
        return buffers;
    }

    private static String hex(List<ByteBuf> buffers) {
        StringBuilder all = new StringBuilder();
        buffers.forEach(buffer -> all.append(ByteBufUtil.hexDump(buffer)));
        return all.toString();
    }

    private static List<String> frameTypes(ByteBuf frames) {
        List<String> types = new ArrayList<>();
        for (int at = frames.readerIndex(); at < frames.writerIndex(); at += 9 + frames.getUnsignedMedium(at)) {
            int type = frames.getUnsignedByte(at + 3);
            int flags = frames.getUnsignedByte(at + 4);
            String name = type == 1 ? "HEADERS" : type == 9 ? "CONTINUATION" : "type " + type;
            types.add(name + ((flags & 1) != 0 && type == 1 ? " END_STREAM" : "") + ((flags & 4) != 0 ? " END_HEADERS" : ""));
        }
        return types;
    }

    private static Http2Headers request(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority("podinfo.test:9898")
                .add("user-agent", "curl/8.5.0").add("accept", "*/*");
    }
}
