package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Says how a forwarded message's body ends, once {@link HopByHopHeaders} took the incoming side's
 * {@code Transfer-Encoding} away: a length when it is known, otherwise chunks. Bodies stream, so the
 * length of a body that is still arriving is known only when the sender gave it. (Towards an HTTP/2
 * side the chunked marker is dropped again by Netty's conversion; DATA frames delimit the body there.)
 */
final class MessageFraming {

    private MessageFraming() {}

    /**
     * Frames a forwarded request.
     *
     * @param chunked whether the incoming side said {@code Transfer-Encoding: chunked} (before it was stripped):
     *     without that or a {@code Content-Length}, an HTTP/1.1 request has no body (RFC 9112 section 6.3), and a
     *     bodiless GET must not reach the backend with a chunked body it never had. (An HTTP/2 request whose
     *     HEADERS did not end the stream comes out of Netty's conversion marked chunked, so it still streams.)
     */
    static void request(HttpRequest request, boolean chunked) {
        if (HttpUtil.isContentLengthSet(request)) {
            return;
        }
        if (request instanceof FullHttpMessage full) {
            // A complete request with no length: say 0 where a body is expected, so servers that insist on one accept it.
            if (full.content().isReadable() || expectsBody(request.method())) {
                HttpUtil.setContentLength(request, full.content().readableBytes());
            }
            return;
        }
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(request, true);
        } else if (expectsBody(request.method())) {
            HttpUtil.setContentLength(request, 0);
        }
    }

    /**
     * Frames a response for an HTTP/1.x client.
     *
     * @param chunkedAllowed false for an HTTP/1.0 client, which does not know chunks
     * @return false when only closing the connection can end this response's body
     */
    static boolean response(HttpResponse response, HttpMethod requestMethod, boolean chunkedAllowed) {
        if (!hasBody(response.status().code(), requestMethod) || HttpUtil.isContentLengthSet(response)) {
            return true;
        }
        if (response instanceof FullHttpMessage full) {
            HttpUtil.setContentLength(response, full.content().readableBytes());
            return true;
        }
        if (chunkedAllowed) {
            HttpUtil.setTransferEncodingChunked(response, true);
            return true;
        }
        return false;
    }

    /** RFC 9110 section 6.4.1: responses to HEAD, and 1xx, 204 and 304 responses, never have a body. */
    static boolean hasBody(int status, HttpMethod requestMethod) {
        return !HttpMethod.HEAD.equals(requestMethod) && status >= 200 && status != 204 && status != 304;
    }

    private static boolean expectsBody(HttpMethod method) {
        return HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.PATCH.equals(method);
    }

    static boolean isInterim(HttpMessage message) {
        return message instanceof HttpResponse response && response.status().code() < 200;
    }
}
