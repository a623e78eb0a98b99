package dev.isthmus.gateway.http;

import dev.isthmus.gateway.pipeline.Drain;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Ends an inbound HTTP/2 connection gracefully when the gateway drains or the peer has stopped sending:
 * closing the channel makes the frame codec send GOAWAY, refuse new streams, and close once the
 * streams in flight are done. Sits in front of the codec, so it sees those events first, and the close
 * it starts passes through the codec on its way out.
 *
 * <p>Unless TLS has closed its output already: BoringSSL answers a peer's close_notify with its own at once,
 * and then nothing more can be sent. A GOAWAY would only fail, with an SslClosedEngineException and its stack
 * trace (about 2 % of the I/O thread when peers open and close connections at a high rate), and a close
 * after it; so the close starts here, behind the codec, which then only sees the channel go inactive. The JDK's
 * engine keeps its output open after a TLS 1.3 close_notify, and there the GOAWAY still goes out.
 */
@Sharable
final class Http2GracefulClose extends ChannelInboundHandlerAdapter {

    /** It keeps no state: every HTTP/2 session shares it. */
    static final Http2GracefulClose INSTANCE = new Http2GracefulClose();

    private Http2GracefulClose() {}

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == Drain.EVENT || event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
            ReferenceCountUtil.release(event);
            if (outputClosed(ctx)) {
                ctx.close();
            } else {
                ctx.channel().close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    private static boolean outputClosed(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        return tls != null && tls.engine().isOutboundDone();
    }
}
