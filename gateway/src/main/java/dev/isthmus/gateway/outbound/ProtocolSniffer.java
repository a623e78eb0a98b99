package dev.isthmus.gateway.outbound;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;

/**
 * Tells from a client's first bytes what it speaks. Pure, so it is tested table-style.
 *
 * <p>The rule (also in the README): the HTTP/2 prior-knowledge preface is HTTP/2; a first line that starts
 * with an HTTP method — upper-case letters, {@code -} or {@code _}, at most {@value #MAX_METHOD} of them — and a
 * space is HTTP/1, whatever follows, so that a malformed request (HTTP/0.9, an over-long line, a version such as
 * {@code HTTP/2.0}) meets the HTTP/1 codec and gets its 400 or 505 instead of slipping through as an opaque
 * tunnel; anything else (a TLS ClientHello, binary, {@code SSH-2.0-…}) is opaque. Only clearly non-HTTP bytes
 * go opaque, so a text protocol whose first word looks like a method (memcached's {@code get key}) must be
 * declared opaque on its Service instead.
 */
final class ProtocolSniffer {

    /** What the first bytes say. */
    enum Verdict { HTTP1, HTTP2, OPAQUE, NEED_MORE }

    static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
    /** The preface's first line, {@code PRI * HTTP/2.0} and CRLF: whoever sends it means HTTP/2. */
    static final int H2_PREFACE_LINE = 16;
    /** Longer than any registered method ({@code UPDATEREDIRECTREF} has 17 letters). */
    static final int MAX_METHOD = 20;

    private ProtocolSniffer() {}

    /** Looks at the readable bytes of {@code in} without consuming them. */
    static Verdict sniff(ByteBuf in) {
        Verdict preface = preface(in);
        if (preface != Verdict.OPAQUE) {
            return preface;
        }
        int start = in.readerIndex();
        int length = in.readableBytes();
        int i = 0;
        while (i < length && i <= MAX_METHOD && isMethodChar(in.getByte(start + i))) {
            i++;
        }
        if (i == length) {
            return i <= MAX_METHOD ? Verdict.NEED_MORE : Verdict.OPAQUE;
        }
        return i > 0 && i <= MAX_METHOD && in.getByte(start + i) == ' ' ? Verdict.HTTP1 : Verdict.OPAQUE;
    }

    /**
     * For a route whose clients are declared to speak HTTP: HTTP/2 when the preface comes, HTTP/1 for anything
     * else (whose codec answers a malformed request with 400); never opaque.
     */
    static Verdict sniffHttp(ByteBuf in) {
        Verdict preface = preface(in);
        return preface == Verdict.OPAQUE ? Verdict.HTTP1 : preface;
    }

    /**
     * HTTP2 for the whole preface, and for a broken one whose first line is whole ({@code PRI * HTTP/2.0} is no
     * HTTP/1 request, and as a tunnel it would reach the backend raw: the HTTP/2 session answers it with GOAWAY
     * PROTOCOL_ERROR, RFC 9113 §3.4); NEED_MORE for a beginning of it; OPAQUE for bytes that are none of it.
     */
    private static Verdict preface(ByteBuf in) {
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
        return matched >= H2_PREFACE_LINE ? Verdict.HTTP2 : Verdict.OPAQUE;
    }

    private static boolean isMethodChar(byte b) {
        return b >= 'A' && b <= 'Z' || b == '-' || b == '_';
    }
}
