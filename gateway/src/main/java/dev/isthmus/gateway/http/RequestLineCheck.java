package dev.isthmus.gateway.http;

import io.netty.handler.codec.http2.Http2Headers;

/**
 * Whether an HTTP/2 request's {@code :method} and {@code :path} could make an HTTP/1 request line: a method that is not
 * empty, and neither with a space or control character. Any other is a malformed request, a stream error (RFC 9113
 * §8.1.1), which {@link Http2ServerSession} answers with RST_STREAM PROTOCOL_ERROR before any request object is made.
 * (Netty's own conversion leaked on exactly these: for HEADERS that end the stream it allocated the body's buffer first
 * and then let the request line's validation throw, with nothing left to release the buffer; Netty 4.2.18,
 * {@code HttpConversionUtil.toFullHttpRequest}.)
 */
final class RequestLineCheck {

    private RequestLineCheck() {}

    /** Trailers and responses carry neither pseudo-header, and pass. */
    static boolean valid(Http2Headers headers) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        if (method == null && path == null) {
            return true;
        }
        return method != null && method.length() > 0 && printable(method) && (path == null || printable(path));
    }

    private static boolean printable(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
