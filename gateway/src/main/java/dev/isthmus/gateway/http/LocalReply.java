package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * An exchange the gateway answers itself, at once, with an error. The request body is read and
 * dropped as it comes, so the connection stays usable for the next request.
 */
final class LocalReply extends LocalExchange {

    private final ClientSide inbound;
    private final HttpRequest request;
    private final int status;
    private final String reason;

    LocalReply(ClientSide inbound, HttpRequest request, int status, String reason) {
        this.inbound = inbound;
        this.request = request;
        this.status = status;
        this.reason = reason;
    }

    @Override
    public void start() {
        ReferenceCountUtil.release(request);
        inbound.fail(status, reason);
    }
}
