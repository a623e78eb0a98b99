package dev.isthmus.gateway.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The header a client gateway writes first on every gateway connection, after TLS: the 23-byte preface
 * {@code transport.l5d.io/v1\r\n\r\n}, a 4-byte big-endian length, then the protobuf message
 * <pre>
 * message Header { int32 port = 1; string name = 2; SessionProtocol session_protocol = 3; }
 * message SessionProtocol { oneof kind { Http1 http1 = 1; Http2 http2 = 2; } }
 * </pre>
 * It is Linkerd's, so Linkerd proxies and Isthmus gateways can talk to each other.
 *
 * @param name the target service's FQDN in the target cluster
 * @param port the target port
 */
public record TransportHeader(String name, int port, SessionProtocol protocol) {

    public static final String PREFACE_TEXT = "transport.l5d.io/v1\r\n\r\n";
    static final byte[] PREFACE = PREFACE_TEXT.getBytes(US_ASCII);
    /** Names are at most 253 bytes; this leaves room for fields a newer peer may add. */
    public static final int MAX_MESSAGE_LENGTH = 1024;

    public TransportHeader {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: empty (expected the target service's FQDN)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /** {@code name:port}, the key routes are looked up by. */
    public String target() {
        return name + ":" + port;
    }

    /** The whole header: preface, length and message. */
    public ByteBuf encode(ByteBufAllocator allocator) {
        byte[] nameBytes = name.getBytes(UTF_8);
        int sessionLength = protocol == SessionProtocol.OPAQUE ? 0 : 2; // tag + zero length of the empty message
        int messageLength = 1 + varintSize(port) + 1 + varintSize(nameBytes.length) + nameBytes.length
                + (protocol == SessionProtocol.OPAQUE ? 0 : 1 + 1 + sessionLength);
        ByteBuf out = allocator.buffer(PREFACE.length + 4 + messageLength);
        out.writeBytes(PREFACE).writeInt(messageLength);
        out.writeByte(1 << 3); // field 1, varint
        writeVarint(out, port);
        out.writeByte(2 << 3 | 2); // field 2, length-delimited
        writeVarint(out, nameBytes.length);
        out.writeBytes(nameBytes);
        if (protocol != SessionProtocol.OPAQUE) {
            out.writeByte(3 << 3 | 2).writeByte(sessionLength);
            out.writeByte((protocol == SessionProtocol.HTTP1 ? 1 : 2) << 3 | 2).writeByte(0);
        }
        return out;
    }

    private static int varintSize(int value) {
        int size = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private static void writeVarint(ByteBuf out, int value) {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }
}
