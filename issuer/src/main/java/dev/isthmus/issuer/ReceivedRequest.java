package dev.isthmus.issuer;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A request copied out of Netty's buffers as soon as it arrives, so that nothing reference-counted
 * outlives the read: requests waiting their turn, or handed to a verifier thread, cannot leak.
 *
 * @param path the request target without its query string
 */
record ReceivedRequest(HttpMethod method, String path, HttpHeaders headers, byte[] body, DecoderResult decoderResult) {

    static ReceivedRequest copyOf(FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        return new ReceivedRequest(request.method(), query < 0 ? uri : uri.substring(0, query),
                request.headers().copy(), ByteBufUtil.getBytes(request.content()), request.decoderResult());
    }
}
