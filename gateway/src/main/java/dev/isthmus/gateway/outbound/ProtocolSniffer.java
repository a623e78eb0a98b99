package dev.isthmus.gateway.outbound;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;

/**
 * Tells from a client's first bytes what it speaks: an HTTP/1.x request line, the HTTP/2 prior-knowledge
 * preface, or anything else (opaque). Pure, so it is tested table-style.
 */
final class ProtocolSniffer {

    /** What the first bytes say. */
    enum Verdict { HTTP1, HTTP2, OPAQUE, NEED_MORE }

    static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
    /** The preface's first line, {@code PRI * HTTP/2.0} and CRLF: whoever sends it means HTTP/2. */
    static final int H2_PREFACE_LINE = 16;
    /** A request line longer than this is not one the gateway would accept anyway. */
    static final int MAX_REQUEST_LINE = 4096;
    private static final byte[] HTTP1_VERSION = " HTTP/1.".getBytes(US_ASCII);

    private ProtocolSniffer() {}

    /** Looks at the readable bytes of {@code in} without consuming them. */
    static Verdict sniff(ByteBuf in) {
        int start = in.readerIndex();
        int length = in.readableBytes();
        if (length == 0) {
            return Verdict.NEED_MORE;
        }
        int common = Math.min(length, H2_PREFACE.length);
        int matched = 0;
        while (matched < common && in.getByte(start + matched) == H2_PREFACE[matched]) {
            matched++;
        }
        if (matched == common) {
            return common == H2_PREFACE.length ? Verdict.HTTP2 : Verdict.NEED_MORE;
        }
        if (matched >= H2_PREFACE_LINE) {
            // A broken preface: "PRI * HTTP/2.0" is no HTTP/1 request, and as a tunnel it would reach the backend
            // raw. The HTTP/2 session answers it with GOAWAY PROTOCOL_ERROR (RFC 9113 §3.4).
            return Verdict.HTTP2;
        }
        return requestLine(in, start, length);
    }

    /**
     * {@code METHOD SP request-target SP HTTP/1.x CRLF}: a method of token characters, a target without
     * spaces or controls, and the version. Decided as soon as the bytes so far cannot be one.
     */
    private static Verdict requestLine(ByteBuf in, int start, int length) {
        int i = 0;
        while (i < length && isTokenChar(in.getByte(start + i))) {
            i++;
        }
        if (i == length) {
            return i < 32 ? Verdict.NEED_MORE : Verdict.OPAQUE; // no method is that long
        }
        if (i == 0 || in.getByte(start + i) != ' ') {
            return Verdict.OPAQUE;
        }
        int targetStart = ++i;
        while (i < length && in.getByte(start + i) > ' ' && in.getByte(start + i) < 0x7f) {
            i++;
        }
        if (i == length) {
            return length < MAX_REQUEST_LINE ? Verdict.NEED_MORE : Verdict.OPAQUE;
        }
        if (i == targetStart) {
            return Verdict.OPAQUE;
        }
        // The version: " HTTP/1." then one digit, then CRLF (or a bare LF, which HTTP/1.1 parsers tolerate).
        int rest = length - i;
        int common = Math.min(rest, HTTP1_VERSION.length);
        if (!matches(in, start + i, HTTP1_VERSION, common)) {
            return Verdict.OPAQUE;
        }
        i += common;
        if (i == length) {
            return Verdict.NEED_MORE;
        }
        byte digit = in.getByte(start + i++);
        if (digit != '0' && digit != '1') {
            return Verdict.OPAQUE;
        }
        if (i == length) {
            return Verdict.NEED_MORE;
        }
        byte end = in.getByte(start + i);
        if (end == '\n') {
            return Verdict.HTTP1;
        }
        if (end != '\r') {
            return Verdict.OPAQUE;
        }
        if (i + 1 == length) {
            return Verdict.NEED_MORE;
        }
        return in.getByte(start + i + 1) == '\n' ? Verdict.HTTP1 : Verdict.OPAQUE;
    }

    private static boolean matches(ByteBuf in, int at, byte[] expected, int count) {
        for (int i = 0; i < count; i++) {
            if (in.getByte(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(byte b) {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }
}
