package dev.isthmus.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last handler of every backend channel, a pooled HTTP/1.1 connection or an h2c stream: it hands
 * what the backend sends to the exchange that leased the channel. A pooled connection between leases
 * has no listener; anything it reads then is a protocol error, and it closes.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(BackendHandler.class.getName());

    /** What an exchange hears from its backend. */
    interface Listener {
        void backendRead(HttpObject msg);

        void backendReadComplete();

        void backendWritable();

        void backendClosed();
    }

    private Listener listener;

    void attach(Listener listener) {
        this.listener = listener;
    }

    void detach() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener current = listener;
        if (current != null && msg instanceof HttpObject object) {
            current.backendRead(object);
            return;
        }
        ReferenceCountUtil.release(msg);
        if (current == null) {
            log.fine(() -> "closing " + ctx.channel() + ": the backend sent data while no request was waiting");
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.backendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null && ctx.channel().isWritable()) {
            listener.backendWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.backendClosed();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            // An HTTP/1.1 backend that ended its side (FIN) will send nothing more: a response it had not finished
            // never comes, and a pooled connection is useless. (The codec already completed a response delimited by
            // the close.) Connections to backends allow half-closure for opaque sessions; without this close the
            // exchange waited for its timeout and the socket sat in CLOSE-WAIT.
            ctx.close();
        }
        // An HTTP/2 reset arrives as an event and the stream's close follows; the close is what counts.
        ReferenceCountUtil.release(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.log(Level.FINE, "closing backend channel " + ctx.channel() + " after an error", cause);
        ctx.close();
    }
}
