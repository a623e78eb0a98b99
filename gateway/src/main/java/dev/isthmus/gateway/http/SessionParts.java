package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.pipeline.PipelineTail;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * What the connections of one kind of session have in common: who answers their requests, how the
 * requests are counted, and the handlers each HTTP/2 stream gets. None of it keeps state of a
 * connection or a request, so the connections of one peer to one service share one instance (see
 * {@link HttpSessionInstaller}), and an idle connection holds no copy of its own.
 */
final class SessionParts {

    private static final Http2StreamFrameToHttpObjectCodec SERVER_CONVERSION = new Http2StreamFrameToHttpObjectCodec(true);

    final Responder responder;
    final RequestMetrics requests;
    /** Sharable, as every {@link ChannelInitializer} is: it gives each stream its own proxy handler. */
    final ChannelHandler streams;

    SessionParts(Responder responder, RequestMetrics requests) {
        this.responder = requireNonNull(responder, "responder");
        this.requests = requireNonNull(requests, "requests");
        this.streams = new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(RequestLineCheck.INSTANCE, SERVER_CONVERSION, new HttpProxyHandler(responder, requests));
                PipelineTail.addTo(stream.pipeline());
            }
        };
    }
}
