package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last handler of a pooled HTTP/1.1 backend connection, and the connection's lease: it hands what the backend
 * sends to the exchange that leased the connection. A pooled connection between leases has no listener; anything it
 * reads then is a protocol error, and it closes.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter implements BackendLease {

    private static final Logger log = Logger.getLogger(BackendHandler.class.getName());

    private ChannelHandlerContext ctx;
    private Listener listener;
    private boolean reused;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    Channel channel() {
        return ctx.channel();
    }

    /** Leases the connection for one exchange; {@code again} when it served one before. */
    BackendHandler leased(boolean again) {
        this.reused = again;
        return this;
    }

    @Override
    public void attach(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void detach() {
        this.listener = null;
    }

    @Override
    public void write(HttpObject msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean writable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void reading(boolean on) {
        ctx.channel().config().setAutoRead(on);
    }

    @Override
    public boolean reused() {
        return reused;
    }

    @Override
    public boolean multiplexed() {
        return false;
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
        ReferenceCountUtil.release(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.log(Level.FINE, "closing backend connection " + ctx.channel() + " after an error", cause);
        ctx.close();
    }
}
