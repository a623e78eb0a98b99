package dev.isthmus.gateway.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.List;

/**
 * Reads the transport header at the start of a gateway connection, emits it as a
 * {@link TransportHeader}, and removes itself, so whatever follows in the same read reaches the next
 * handler untouched. Rejects as early as the bytes allow: a wrong preface byte fails at once rather
 * than waiting for a length's worth of garbage.
 */
public final class TransportHeaderDecoder extends ByteToMessageDecoder {

    private static final int LENGTH_OFFSET = TransportHeader.PREFACE.length;
    private static final int MESSAGE_OFFSET = LENGTH_OFFSET + 4;
    /** Goes on while the bytes are ASCII. */
    private static final ByteProcessor ASCII = b -> b >= 0;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeHeader(ctx, in, out);
        } catch (TransportHeaderException e) {
            in.skipBytes(in.readableBytes()); // the connection is done for; don't decode the same bytes again on close
            throw e;
        }
    }

    private void decodeHeader(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        int prefaceBytes = Math.min(readable, LENGTH_OFFSET);
        for (int i = 0; i < prefaceBytes; i++) {
            if (in.getByte(start + i) != TransportHeader.PREFACE[i]) {
                throw new TransportHeaderException("the connection does not start with the transport header preface"
                        + " (expected '" + TransportHeader.PREFACE_TEXT.strip() + "\\r\\n\\r\\n' after the TLS handshake)");
            }
        }
        if (readable < MESSAGE_OFFSET) {
            return;
        }
        long length = in.getUnsignedInt(start + LENGTH_OFFSET);
        if (length > TransportHeader.MAX_MESSAGE_LENGTH) {
            throw new TransportHeaderException("transport header of " + length + " bytes (expected at most "
                    + TransportHeader.MAX_MESSAGE_LENGTH + ")");
        }
        if (readable < MESSAGE_OFFSET + length) {
            return;
        }
        TransportHeader header = parse(in.slice(start + MESSAGE_OFFSET, (int) length));
        in.skipBytes(MESSAGE_OFFSET + (int) length);
        ctx.pipeline().remove(this);
        out.add(header);
    }

    /** Parses the protobuf {@code Header} message; unknown fields are skipped, as protobuf requires. */
    public static TransportHeader parse(ByteBuf message) {
        int port = 0;
        String name = null;
        SessionProtocol protocol = SessionProtocol.OPAQUE;
        while (message.isReadable()) {
            long key = readVarint(message);
            int field = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            if (field == 1 && wireType == 0) {
                long value = readVarint(message);
                port = value < 0 || value > 65535 ? -1 : (int) value;
            } else if (field == 2 && wireType == 2) {
                name = utf8(lengthDelimited(message));
            } else if (field == 3 && wireType == 2) {
                protocol = sessionProtocol(lengthDelimited(message));
            } else {
                skip(message, wireType, field);
            }
        }
        if (name == null || name.isEmpty()) {
            throw new TransportHeaderException("transport header has no target name (expected field 2: the service's FQDN)");
        }
        if (port < 1) {
            throw new TransportHeaderException("transport header port " + (port == 0 ? "missing" : "out of range")
                    + " (expected field 1: 1-65535)");
        }
        return new TransportHeader(name, port, protocol);
    }

    private static SessionProtocol sessionProtocol(ByteBuf message) {
        SessionProtocol protocol = null;
        while (message.isReadable()) {
            long key = readVarint(message);
            int field = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            if ((field == 1 || field == 2) && wireType == 2) {
                lengthDelimited(message); // Http1 and Http2 are empty messages; their presence is the value
                protocol = field == 1 ? SessionProtocol.HTTP1 : SessionProtocol.HTTP2;
            } else {
                skip(message, wireType, field);
            }
        }
        if (protocol == null) {
            throw new TransportHeaderException("transport header names a session protocol this gateway does not know"
                    + " (expected http1 or http2)");
        }
        return protocol;
    }

    private static void skip(ByteBuf message, int wireType, int field) {
        switch (wireType) {
            case 0 -> readVarint(message);
            case 1 -> need(message, 8).skipBytes(8);
            case 2 -> lengthDelimited(message);
            case 5 -> need(message, 4).skipBytes(4);
            default -> throw new TransportHeaderException("transport header field " + field + " has wire type " + wireType
                    + " (expected a protobuf message: wire types 0, 1, 2 or 5)");
        }
    }

    private static ByteBuf lengthDelimited(ByteBuf message) {
        long length = readVarint(message);
        if (length < 0 || length > message.readableBytes()) { // a 10-byte varint can set the sign bit
            throw new TransportHeaderException("transport header field of " + length + " bytes runs past the header's end");
        }
        return message.readSlice((int) length);
    }

    private static long readVarint(ByteBuf message) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = need(message, 1).readByte();
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new TransportHeaderException("transport header holds a varint longer than 10 bytes");
    }

    private static ByteBuf need(ByteBuf message, int bytes) {
        if (message.readableBytes() < bytes) {
            throw new TransportHeaderException("transport header is truncated (a field runs past its end)");
        }
        return message;
    }

    private static String utf8(ByteBuf bytes) {
        if (bytes.forEachByte(ASCII) < 0) {
            return bytes.toString(US_ASCII); // a service's FQDN always is ASCII: no decoder to make per connection
        }
        try {
            return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new TransportHeaderException("transport header name is not valid UTF-8");
        }
    }
}
