package dev.isthmus.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Netty's {@link FlushConsolidationHandler}, as {@link HttpSessionInstaller} puts it behind TLS, except that a
 * flush of a connection that has closed goes nowhere. The HTTP/2 codec flushes at the end of every read, also of
 * the read whose close_notify closed the connection; consolidated, that flush was held and done on the way out,
 * and TLS then wrote to the closed socket: a failed write and its exception on every connection a peer closed.
 */
final class ResponseFlush extends FlushConsolidationHandler {

    ResponseFlush() {
        super(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            super.flush(ctx);
        }
    }
}
