package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.transport.ProbeTarget;
import dev.isthmus.identity.SpiffeId;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers a session to the {@link ProbeTarget}: {@code GET /ready} and {@code GET /live} get 200 and a
 * line naming this gateway's identity, anything else 404. Reaching it at all took an mTLS handshake and
 * the policy, which is what the probe asks about.
 */
final class ProbeResponder implements Responder {

    private final SpiffeId self;

    ProbeResponder(SpiffeId self) {
        this.self = self;
    }

    @Override
    public Exchange exchange(ClientSide inbound, HttpRequest request) {
        if (HttpMethod.GET.equals(request.method()) && ProbeTarget.answers(request.uri())) {
            return new Answer(inbound, request, self);
        }
        return new LocalReply(inbound, request, 404, request.method() + " " + request.uri() + " is not a probe"
                + " (expected: GET " + ProbeTarget.READY + " or GET " + ProbeTarget.LIVE + ")");
    }

    /** A 200 naming the gateway; like {@link LocalReply}, the request body is dropped as it comes. */
    private static final class Answer extends LocalExchange {
        private final ClientSide inbound;
        private final HttpRequest request;
        private final SpiffeId self;

        Answer(ClientSide inbound, HttpRequest request, SpiffeId self) {
            this.inbound = inbound;
            this.request = request;
            this.self = self;
        }

        @Override
        public void start() {
            ReferenceCountUtil.release(request);
            ByteBuf body = inbound.alloc().buffer();
            body.writeCharSequence(self + "\n", UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            inbound.respond(response);
        }
    }
}
