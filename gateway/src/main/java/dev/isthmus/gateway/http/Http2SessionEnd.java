package dev.isthmus.gateway.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of an inbound HTTP/2 connection's handlers, behind the multiplexer, for what it passes on
 * about the connection as a whole: the frames of stream 0 (SETTINGS, PING, GOAWAY), which the codec
 * has already acted on; every connection error, after the codec answered it (GOAWAY, then close); and
 * the socket's I/O errors. A peer's protocol error is logged at FINE, as the peer's doing; any other
 * error closes the connection. Without it all of these would reach the pipeline's tail.
 */
@Sharable
final class Http2SessionEnd extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(Http2SessionEnd.class.getName());

    /** It keeps no state: every HTTP/2 session shares it. */
    static final Http2SessionEnd INSTANCE = new Http2SessionEnd();

    private Http2SessionEnd() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception) {
            log.log(Level.FINE, "HTTP/2 connection error on " + ctx.channel() + ", answered with GOAWAY", cause);
            return;
        }
        log.log(Level.FINE, "closing " + ctx.channel() + " after an error", cause);
        ctx.close();
    }
}
