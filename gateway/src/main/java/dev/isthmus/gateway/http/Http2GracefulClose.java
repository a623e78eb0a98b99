package dev.isthmus.gateway.http;

import dev.isthmus.gateway.pipeline.Drain;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Ends an inbound HTTP/2 connection gracefully when the gateway drains or the peer has stopped sending:
 * closing the channel makes the frame codec send GOAWAY, refuse new streams, and close once the
 * streams in flight are done. Sits in front of the codec, so it sees those events first, and the close
 * it starts passes through the codec on its way out.
 */
final class Http2GracefulClose extends ChannelInboundHandlerAdapter {


    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == Drain.EVENT || event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
            ReferenceCountUtil.release(event);
            ctx.channel().close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }
}
