package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.identity.ca.IssuedCertificate;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A response before it becomes Netty's: plain data, so it can be made on any thread and tested without
 * a channel, and turned into a buffer only on the event loop that writes it.
 *
 * @param failure the error this reply reports, or null for a success
 * @param close whether the connection closes after this reply
 */
record Reply(HttpResponseStatus status, String contentType, byte[] body, List<Map.Entry<String, String>> headers,
             Failure failure, boolean close) {

    static final String PEM_CHAIN = "application/pem-certificate-chain";
    /** Long enough for the next issuer poll or a restarted API server; clients back off on their own too. */
    private static final String NOT_READY_RETRY_SECONDS = "5";
    private static final String OVERLOADED_RETRY_SECONDS = "1";

    Reply {
        headers = List.copyOf(headers);
    }

    static Reply failure(Failure failure, String message) {
        Reply reply = new Reply(failure.status(), "application/json", Json.error(failure.code(), message).getBytes(US_ASCII),
                List.of(), failure, false);
        return switch (failure) {
            case UNAUTHENTICATED -> reply.withHeader("WWW-Authenticate", "Bearer");
            case NOT_READY -> reply.withHeader("Retry-After", NOT_READY_RETRY_SECONDS);
            case OVERLOADED -> reply.withHeader("Retry-After", OVERLOADED_RETRY_SECONDS);
            default -> reply;
        };
    }

    static Reply methodNotAllowed(String method, String path, String allowed) {
        return failure(Failure.METHOD_NOT_ALLOWED, method + " is not allowed on " + path + " (expected: " + allowed + ")")
                .withHeader("Allow", allowed);
    }

    static Reply text(HttpResponseStatus status, String text) {
        return new Reply(status, "text/plain; charset=utf-8", text.getBytes(UTF_8), List.of(), null, false);
    }

    /** The leaf and the issuer chain above it, PEM, leaf first. */
    static Reply certificateChain(IssuedCertificate issued) {
        return new Reply(HttpResponseStatus.OK, PEM_CHAIN, issued.toPem().getBytes(US_ASCII), List.of(), null, false);
    }

    Reply withHeader(String name, String value) {
        List<Map.Entry<String, String>> more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new Reply(status, contentType, body, more, failure, close);
    }

    Reply closing() {
        return close ? this : new Reply(status, contentType, body, headers, failure, true);
    }

    /** "ok" or the error code: the result a request is counted under. */
    String result() {
        return failure == null ? "ok" : failure.code();
    }

    FullHttpResponse toResponse() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        headers.forEach(h -> response.headers().add(h.getKey(), h.getValue()));
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
