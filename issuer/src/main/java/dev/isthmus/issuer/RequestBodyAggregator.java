package dev.isthmus.issuer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Netty's aggregator, limited to {@value IssuerChannelInitializer#MAX_BODY_BYTES} bytes of body, whose
 * refusals (413 for a body too large, 417 for an expectation it cannot meet) use the service's JSON error
 * format instead of an empty body. It also answers {@code Expect: 100-continue}.
 */
final class RequestBodyAggregator extends HttpObjectAggregator {

    private static final Duration LINGER = Duration.ofSeconds(2);

    private final IssuerMetrics metrics;

    RequestBodyAggregator(IssuerMetrics metrics) {
        super(IssuerChannelInitializer.MAX_BODY_BYTES);
        this.metrics = metrics;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(response instanceof FullHttpResponse refusal)) {
            return response;
        }
        HttpResponseStatus status = refusal.status();
        if (status.equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            ReferenceCountUtil.release(refusal);
            return tooLarge(start).toResponse();
        }
        if (status.equals(HttpResponseStatus.EXPECTATION_FAILED)) {
            ReferenceCountUtil.release(refusal);
            return Reply.failure(Failure.EXPECTATION_FAILED, "the request expects '" + start.headers().get("Expect")
                    + "' (expected: no Expect header, or Expect: 100-continue)").toResponse();
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest)) {
            ctx.close();
            return;
        }
        // The client is sending a body this side will not read, and clients differ in what they do on an
        // early answer (the JDK's stops sending and reuses the connection): closing is the only way both
        // sides agree where the next request starts. (A too-large Content-Length with Expect: 100-continue
        // is refused in newContinueResponse instead, before the body is sent, and keeps the connection.)
        //
        // The close lingers, as nginx's does: closing at once while the client is still sending makes the
        // kernel answer its next bytes with a reset, which can destroy the 413 before the client has read it.
        // Meanwhile the aggregator discards the rest of the body, and a client that reads the answer closes first.
        ctx.writeAndFlush(tooLarge(oversized).closing().toResponse()).addListener(written ->
                ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS));
    }

    private Reply tooLarge(HttpMessage message) {
        Reply reply = Reply.failure(Failure.PAYLOAD_TOO_LARGE, "the request body is larger than "
                + IssuerChannelInitializer.MAX_BODY_BYTES + " bytes (expected: a certificate signing request of at most "
                + IssuerChannelInitializer.MAX_BODY_BYTES + " bytes)");
        if (message instanceof HttpRequest request
                && (request.uri().equals(CertifyEndpoint.PATH) || request.uri().startsWith(CertifyEndpoint.PATH + "?"))) {
            metrics.certified(reply.result());
        }
        return reply;
    }
}
