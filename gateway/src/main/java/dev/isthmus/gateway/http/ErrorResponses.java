package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The responses the gateway makes itself. The reason goes both in a {@code text/plain} body, for a
 * person reading it, and in {@value #ERROR_HEADER_TEXT}, for a program or a log that sees only headers.
 */
public final class ErrorResponses {

    static final String ERROR_HEADER_TEXT = "x-isthmus-error";
    public static final AsciiString ERROR_HEADER = AsciiString.cached(ERROR_HEADER_TEXT);
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

    private ErrorResponses() {}

    public static FullHttpResponse of(int status, String reason, ByteBufAllocator alloc) {
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(reason, UTF_8);
        body.writeByte('\n');
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(ERROR_HEADER, headerValue(reason));
        return response;
    }

    /** A header value must be visible ASCII on one line; anything else in a reason becomes '?'. */
    static String headerValue(String reason) {
        StringBuilder value = new StringBuilder(reason.length());
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            value.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return value.toString();
    }
}
