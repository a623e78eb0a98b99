package dev.isthmus.gateway.tls;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a TLS client's first flight offers, read without consuming it: whether it can speak TLS 1.3
 * (RFC 8446 §4.2.1 {@code supported_versions}) and which application protocols it names (RFC 7301
 * {@code application_layer_protocol_negotiation}). The hello may span several records. Anything that
 * does not parse as a well-formed ClientHello is {@link Status#NOT_A_CLIENT_HELLO}: it is the TLS
 * engine's to refuse, with the alert it chooses.
 *
 * @param protocols the ALPN protocol names in the client's order; {@code null} when it sent no ALPN extension
 */
public record ClientHelloOffer(Status status, boolean tls13, List<String> protocols) {

    /** A ClientHello longer than this is left to the TLS engine rather than buffered here. */
    public static final int MAX_HELLO_LENGTH = 32 * 1024;

    private static final int RECORD_HEADER = 5;
    private static final int MAX_RECORD = 1 << 14;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int TLS13 = 0x0304;

    private static final ClientHelloOffer INCOMPLETE = new ClientHelloOffer(Status.INCOMPLETE, false, null);
    private static final ClientHelloOffer NOT_A_HELLO = new ClientHelloOffer(Status.NOT_A_CLIENT_HELLO, false, null);

    public enum Status {
        /** More bytes are needed to decide. */
        INCOMPLETE,
        /** Not TLS, not a handshake, malformed, or too long to inspect. */
        NOT_A_CLIENT_HELLO,
        /** A well-formed ClientHello. */
        CLIENT_HELLO
    }

    public ClientHelloOffer {
        protocols = protocols == null ? null : List.copyOf(protocols);
    }

    /** Whether the client named {@code protocol} among its ALPN protocols. */
    public boolean offers(String protocol) {
        return protocols != null && protocols.contains(protocol);
    }

    /** Reads the readable bytes of {@code in}; its indexes are left as they were. */
    public static ClientHelloOffer read(ByteBuf in) {
        byte[] hello = new byte[0];
        int helloLength = -1;
        int filled = 0;
        int at = in.readerIndex();
        int end = in.writerIndex();
        while (helloLength < 0 || filled < helloLength + 4) {
            if (end - at < RECORD_HEADER) {
                return INCOMPLETE;
            }
            int type = in.getUnsignedByte(at);
            int major = in.getUnsignedByte(at + 1);
            int length = in.getUnsignedShort(at + 3);
            if (type != HANDSHAKE || major != 3 || length == 0 || length > MAX_RECORD) {
                return NOT_A_HELLO;
            }
            if (end - at - RECORD_HEADER < length) {
                return INCOMPLETE;
            }
            int wanted = helloLength < 0 ? length : Math.min(length, helloLength + 4 - filled);
            if (filled + wanted > hello.length) {
                hello = Arrays.copyOf(hello, Math.max(filled + wanted, Math.max(4, 2 * hello.length)));
            }
            in.getBytes(at + RECORD_HEADER, hello, filled, wanted);
            filled += wanted;
            at += RECORD_HEADER + length;
            if (helloLength < 0 && filled >= 4) {
                if ((hello[0] & 0xff) != CLIENT_HELLO) {
                    return NOT_A_HELLO;
                }
                helloLength = (hello[1] & 0xff) << 16 | (hello[2] & 0xff) << 8 | (hello[3] & 0xff);
                if (helloLength > MAX_HELLO_LENGTH) {
                    return NOT_A_HELLO;
                }
                if (filled > helloLength + 4) {
                    filled = helloLength + 4; // the record carries more handshake messages than the hello
                }
            }
        }
        try {
            return parse(ByteBuffer.wrap(hello, 4, helloLength).slice());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return NOT_A_HELLO;
        }
    }

    private static ClientHelloOffer parse(ByteBuffer body) {
        skip(body, 2 + 32); // legacy_version, random
        int sessionId = u8(body);
        if (sessionId > 32) {
            return NOT_A_HELLO;
        }
        skip(body, sessionId);
        int suites = u16(body);
        if (suites < 2 || suites % 2 != 0) {
            return NOT_A_HELLO;
        }
        skip(body, suites);
        int compressions = u8(body);
        if (compressions < 1) {
            return NOT_A_HELLO;
        }
        skip(body, compressions);
        if (!body.hasRemaining()) {
            return new ClientHelloOffer(Status.CLIENT_HELLO, false, null); // no extensions: TLS 1.2 at most
        }
        int extensionsLength = u16(body);
        if (extensionsLength != body.remaining()) {
            return NOT_A_HELLO;
        }
        boolean tls13 = false;
        boolean versionsSeen = false;
        List<String> protocols = null;
        while (body.hasRemaining()) {
            int type = u16(body);
            ByteBuffer data = take(body, u16(body));
            if (type == EXT_SUPPORTED_VERSIONS) {
                if (versionsSeen) {
                    return NOT_A_HELLO;
                }
                versionsSeen = true;
                tls13 = offersTls13(take(data, u8(data)));
            } else if (type == EXT_ALPN) {
                if (protocols != null) {
                    return NOT_A_HELLO; // a repeated extension is a decode error
                }
                protocols = protocolNames(take(data, u16(data)));
                if (protocols.isEmpty()) {
                    return NOT_A_HELLO;
                }
            } else {
                continue;
            }
            if (data.hasRemaining()) {
                return NOT_A_HELLO;
            }
        }
        return new ClientHelloOffer(Status.CLIENT_HELLO, tls13, protocols);
    }

    private static boolean offersTls13(ByteBuffer versions) {
        if (versions.remaining() % 2 != 0) {
            throw new IllegalArgumentException("odd supported_versions");
        }
        boolean found = false;
        while (versions.hasRemaining()) {
            found |= u16(versions) == TLS13;
        }
        return found;
    }

    private static List<String> protocolNames(ByteBuffer list) {
        List<String> names = new ArrayList<>();
        while (list.hasRemaining()) {
            int length = u8(list);
            if (length == 0) {
                throw new IllegalArgumentException("empty protocol name");
            }
            ByteBuffer name = take(list, length);
            byte[] bytes = new byte[length];
            name.get(bytes);
            names.add(new String(bytes, ISO_8859_1));
        }
        return names;
    }

    private static int u8(ByteBuffer buffer) {
        return buffer.get() & 0xff;
    }

    private static int u16(ByteBuffer buffer) {
        return buffer.getShort() & 0xffff;
    }

    private static void skip(ByteBuffer buffer, int count) {
        if (buffer.remaining() < count) {
            throw new BufferUnderflowException();
        }
        buffer.position(buffer.position() + count);
    }

    private static ByteBuffer take(ByteBuffer buffer, int count) {
        if (buffer.remaining() < count) {
            throw new BufferUnderflowException();
        }
        ByteBuffer part = buffer.slice();
        part.limit(count);
        buffer.position(buffer.position() + count);
        return part;
    }
}
