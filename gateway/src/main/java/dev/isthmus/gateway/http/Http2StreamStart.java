package dev.isthmus.gateway.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * The first handler of every HTTP/2 stream of an inbound session: when the stream opens it puts the
 * conversion to HTTP/1 objects and a new {@link HttpProxyHandler} behind itself, and it stays to do the
 * {@link RequestLineCheck} on what the stream reads. One per session, shared by its streams. A
 * {@code ChannelInitializer} in its place added the check as a handler of its own and then removed itself,
 * keeping a concurrent set of the streams it was initialising meanwhile: a context, a removal and two set
 * operations per request more, for a stream that carries one request.
 */
@Sharable
final class Http2StreamStart extends ChannelInboundHandlerAdapter {

    /**
     * Without header validation: it would be the second. The session's codec ({@link Http2ServerCodec}, Netty's
     * default {@code validateHeaders}) has its HPACK decoder check every name (a lower-case token) and every value
     * (no control character: no NUL, CR or LF) with the very function the HTTP/1 headers use on values, and
     * with a stricter one on names; a request with any other is refused before it gets here. What the conversion
     * adds itself ({@code Host} from {@code :authority}, joined cookies, its {@code x-http2-*} fields) is made of
     * those checked values; the request line is checked regardless ({@link RequestLineCheck}, and Netty's own).
     * Responses it encodes come from an HTTP/1 decoder or an HPACK decoder, each validating, or are the gateway's
     * own. {@link Http2HeaderValidationTest} holds the first half.
     */
    private static final Http2StreamFrameToHttpObjectCodec SERVER_CONVERSION = new Http2StreamFrameToHttpObjectCodec(true, false);

    private final Responder responder;
    private final RequestMetrics requests;

    Http2StreamStart(Responder responder, RequestMetrics requests) {
        this.responder = responder;
        this.requests = requests;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.pipeline().addLast(SERVER_CONVERSION, new HttpProxyHandler(responder, requests));
    }

    /** The check is the shared {@link RequestLineCheck}'s, done from this handler's place in the pipeline. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RequestLineCheck.INSTANCE.channelRead(ctx, msg);
    }
}
