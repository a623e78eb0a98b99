package dev.isthmus.gateway.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransportHeaderDecoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new TransportHeaderDecoder());

    @ParameterizedTest
    @EnumSource(SessionProtocol.class)
    void decodesWhatTheEncoderWrites(SessionProtocol protocol) {
        TransportHeader header = new TransportHeader("podinfo.east.svc.cluster.local", 9898, protocol);

        channel.writeInbound(header.encode(ByteBufAllocator.DEFAULT));

        assertThat((Object) channel.readInbound()).isEqualTo(header);
        assertThat(channel.pipeline().get(TransportHeaderDecoder.class)).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void matchesLinkerdsEncodingByteForByte() {
        // Header{port: 80, name: "a", session_protocol: {http2: {}}} as protoc encodes it.
        byte[] message = {0x08, 0x50, 0x12, 0x01, 'a', 0x1a, 0x02, 0x12, 0x00};
        ByteBuf encoded = new TransportHeader("a", 80, SessionProtocol.HTTP2).encode(ByteBufAllocator.DEFAULT);
        try {
            assertThat(ByteBufUtil.getBytes(encoded)).isEqualTo(frame(message));
        } finally {
            encoded.release();
        }
    }

    @Test
    void passesTheBytesAfterTheHeaderOnUntouchedAndInOrder() {
        ByteBuf bytes = new TransportHeader("web.default.svc.cluster.local", 80, SessionProtocol.HTTP1)
                .encode(ByteBufAllocator.DEFAULT);
        bytes.writeCharSequence("GET / HTTP/1.1\r\n", US_ASCII);

        // One byte at a time: the decoder must wait for the whole header, however it is split.
        while (bytes.isReadable()) {
            channel.writeInbound(bytes.readRetainedSlice(1));
        }
        bytes.release();

        assertThat((Object) channel.readInbound()).isInstanceOf(TransportHeader.class);
        StringBuilder rest = new StringBuilder();
        for (ByteBuf b; (b = channel.readInbound()) != null; b.release()) {
            rest.append(b.toString(US_ASCII));
        }
        assertThat(rest).hasToString("GET / HTTP/1.1\r\n");
    }

    @Test
    void skipsUnknownFieldsOfEveryWireType() {
        byte[] message = {
            0x08, 0x50,                               // port 80
            0x20, (byte) 0x96, 0x01,                  // field 4 varint
            0x29, 1, 2, 3, 4, 5, 6, 7, 8,             // field 5 fixed64
            0x35, 1, 2, 3, 4,                         // field 6 fixed32
            0x3a, 0x02, 'x', 'y',                     // field 7 bytes
            0x12, 0x01, 'a'                           // name "a"
        };
        channel.writeInbound(Unpooled.wrappedBuffer(frame(message)));
        assertThat((Object) channel.readInbound()).isEqualTo(new TransportHeader("a", 80, SessionProtocol.OPAQUE));
    }

    @Test
    void rejectsAWrongPrefaceAtTheFirstWrongByte() {
        assertRejected("GET / HTTP/1.1\r\n".getBytes(US_ASCII), "does not start with the transport header preface");
    }

    @Test
    void rejectsPlaintextHttp2Preface() {
        assertRejected("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII), "does not start with the transport header preface");
    }

    @Test
    void rejectsAnOversizedHeaderBeforeReadingIt() {
        ByteBuf bytes = Unpooled.buffer().writeBytes(TransportHeader.PREFACE).writeInt(1 << 30);
        assertRejected(ByteBufUtil.getBytes(bytes), "transport header of 1073741824 bytes (expected at most 1024)");
    }

    @Test
    void rejectsMissingFields() {
        assertRejected(frame(new byte[] {0x08, 0x50}), "has no target name");
        assertRejected(frame(new byte[] {0x12, 0x01, 'a'}), "port missing");
        assertRejected(frame(new byte[] {}), "has no target name");
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertRejected(frame(new byte[] {0x08, (byte) 0x80, (byte) 0x80, 0x04, 0x12, 0x01, 'a'}), "port out of range");
        byte[] negative = {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01, 0x12, 0x01, 'a'};
        assertRejected(frame(negative), "port out of range");
    }

    @Test
    void rejectsTruncatedAndOverlongFields() {
        assertRejected(frame(new byte[] {0x08, 0x50, 0x12, 0x05, 'a'}), "runs past the header's end");
        assertRejected(frame(new byte[] {0x08, (byte) 0x80}), "truncated");
        assertRejected(frame(new byte[] {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01}), "varint longer than 10 bytes");
        assertRejected(frame(new byte[] {0x08, 0x50, 0x0b}), "wire type 3");
    }

    @Test
    void decodesANameOutsideAsciiAsUtf8() {
        // "ä" in UTF-8; such a name is no service of any cluster, but refusing it is the router's call, with a 404.
        channel.writeInbound(Unpooled.wrappedBuffer(frame(new byte[] {0x08, 0x50, 0x12, 0x03, (byte) 0xc3, (byte) 0xa4, 'b'})));

        assertThat((Object) channel.readInbound()).isEqualTo(new TransportHeader("\u00e4b", 80, SessionProtocol.OPAQUE));
    }

    @Test
    void rejectsANameThatIsNotUtf8() {
        assertRejected(frame(new byte[] {0x08, 0x50, 0x12, 0x01, (byte) 0xff}), "not valid UTF-8");
        assertRejected(frame(new byte[] {0x08, 0x50, 0x12, 0x02, (byte) 0xc3, 0x28}), "not valid UTF-8");
    }

    @Test
    void rejectsAnUnknownSessionProtocol() {
        assertRejected(frame(new byte[] {0x08, 0x50, 0x12, 0x01, 'a', 0x1a, 0x02, 0x1a, 0x00}), "session protocol this gateway does not know");
    }

    @Test
    void randomBytesAfterAValidPrefaceNeverEscapeAsAnythingButAHeaderError() {
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            byte[] message = new byte[random.nextInt(40)];
            random.nextBytes(message);
            EmbeddedChannel fuzz = new EmbeddedChannel(new TransportHeaderDecoder());
            try {
                fuzz.writeInbound(Unpooled.wrappedBuffer(frame(message)));
                Object decoded = fuzz.readInbound();
                assertThat(decoded).isInstanceOf(TransportHeader.class);
            } catch (DecoderException e) {
                assertThat(e).isInstanceOf(TransportHeaderException.class);
            } finally {
                fuzz.finishAndReleaseAll();
            }
        }
    }

    private void assertRejected(byte[] bytes, String message) {
        EmbeddedChannel fresh = new EmbeddedChannel(new TransportHeaderDecoder());
        assertThatThrownBy(() -> fresh.writeInbound(Unpooled.wrappedBuffer(bytes)))
                .isInstanceOf(TransportHeaderException.class)
                .hasMessageContaining(message);
        fresh.finishAndReleaseAll();
    }

    private static byte[] frame(byte[] message) {
        ByteBuf out = Unpooled.buffer().writeBytes(TransportHeader.PREFACE).writeInt(message.length).writeBytes(message);
        return ByteBufUtil.getBytes(out);
    }
}
