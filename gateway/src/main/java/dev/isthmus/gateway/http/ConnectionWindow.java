package dev.isthmus.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2LocalFlowController;

/**
 * Widens an HTTP/2 connection's receive window beyond the 64 KiB every connection starts with. A
 * stream whose reader paused (the other side of the proxy is slow) keeps its unread bytes counted
 * against the connection window as well as its own; with only 64 KiB, one such stream would stall
 * every other stream of the connection. Per-stream windows stay at the default, so memory per stream
 * stays bounded. As a handler (the backend pool's connections, whose codec goes in before they are active) it
 * sits right behind the frame codec, and leaves once it has done its work; an inbound session, active when its
 * codec goes in, calls {@link #widen(Http2Connection, int)} instead.
 */
final class ConnectionWindow extends ChannelInboundHandlerAdapter {

    private final int size;

    ConnectionWindow(int size) {
        this.size = size;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Http2Exception {
        if (ctx.channel().isActive()) {
            widen(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Http2Exception {
        ctx.fireChannelActive();
        widen(ctx);
    }

    private void widen(ChannelHandlerContext ctx) throws Http2Exception {
        if (widen(ctx.pipeline().get(Http2FrameCodec.class).connection(), size)) {
            ctx.flush();
        }
        ctx.pipeline().remove(this);
    }

    /**
     * Widens the window of a connection whose codec is in the pipeline of an active channel, without a handler
     * added and removed for it: the inbound session's codec goes in once the channel is active.
     *
     * @return whether a WINDOW_UPDATE was written, which the caller flushes
     */
    static boolean widen(Http2Connection connection, int size) throws Http2Exception {
        Http2LocalFlowController flow = connection.local().flowController();
        int delta = size - flow.initialWindowSize(connection.connectionStream());
        if (delta > 0) {
            flow.incrementWindowSize(connection.connectionStream(), delta);
            return true;
        }
        return false;
    }
}
