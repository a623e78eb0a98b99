package dev.isthmus.gateway.transport;

import dev.isthmus.testkit.fuzz.Fuzz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transport header, the first thing a peer sends after the handshake, under a seeded mutation fuzzer
 * ({@link Fuzz}): the protobuf message on its own, and the whole stream through the decoder, cut into
 * reads. Only {@link TransportHeaderException} may come out; in the gateway's pipeline the session router
 * turns it into a counted close ({@code InboundIT}).
 */
class TransportHeaderFuzzTest {

    static List<byte[]> streams() {
        List<byte[]> streams = new java.util.ArrayList<>();
        for (TransportHeader header : List.of(new TransportHeader("echo.test.svc.cluster.local", 7, SessionProtocol.OPAQUE),
                new TransportHeader("podinfo.test.svc.cluster.local", 9898, SessionProtocol.HTTP1),
                new TransportHeader("p.t.svc.cluster.local", 65535, SessionProtocol.HTTP2))) {
            ByteBuf encoded = header.encode(UnpooledByteBufAllocator.DEFAULT);
            try {
                streams.add(ByteBufUtil.getBytes(encoded));
            } finally {
                encoded.release();
            }
        }
        return streams;
    }

    /** The fuzzer's first finding: a length varint with the sign bit set slipped past the bounds check. */
    @Test
    void aFieldLengthWithTheSignBitSetIsABadHeaderNotAnIllegalArgument() {
        byte[] message = java.util.HexFormat.of().parseHex("3affffffffffffffffb76f750fffa42fffffffffffff22");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransportHeaderDecoder.parse(Unpooled.wrappedBuffer(message)))
                .isInstanceOf(TransportHeaderException.class).hasMessageContaining("runs past the header's end");
    }

    @Test
    void protobufMessage() throws Exception {
        int messageOffset = TransportHeader.PREFACE.length + 4;
        Fuzz.target("transport header message")
                .seeds(streams().stream().map(s -> java.util.Arrays.copyOfRange(s, messageOffset, s.length)).toList())
                .documented(TransportHeaderException.class)
                .iterations(50_000)
                .maxLength(2048)
                .run(message -> TransportHeaderDecoder.parse(Unpooled.wrappedBuffer(message)).protocol().name());
    }

    @Test
    void streamThroughTheDecoder() throws Exception {
        Fuzz.target("transport header stream")
                .seeds(streams())
                .dictionary(TransportHeader.PREFACE_TEXT, "\r\n\r\n", "GET / HTTP/1.1\r\n")
                .documented(TransportHeaderException.class)
                .iterations(10_000)
                .maxLength(4096)
                .run(stream -> {
                    EmbeddedChannel channel = new EmbeddedChannel(new TransportHeaderDecoder());
                    try {
                        // Two reads, split where the input says, as TCP may cut it anywhere.
                        int cut = stream.length == 0 ? 0 : (stream[stream.length - 1] & 0xff) % (stream.length + 1);
                        channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
                        if (channel.isOpen()) {
                            channel.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
                        }
                        channel.checkException();
                        Object decoded = channel.readInbound();
                        String outcome = decoded instanceof TransportHeader header ? header.protocol().name() : "incomplete";
                        ReferenceCountUtil.release(decoded);
                        return outcome;
                    } finally {
                        channel.finishAndReleaseAll();
                    }
                });
    }
}
