package dev.isthmus.gateway.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * The start of a byte relay, for both opaque sessions (a peer gateway's towards a backend, a local client's towards a
 * remote gateway or a local instance): while the other side connects, this handler holds what its channel reads and
 * a half-close (a FIN, or a TLS close_notify) that came with it; once connected, what waited goes first and a
 * {@link Relay} takes its place, both ways. The channel's reads should be paused meanwhile (auto-read off), so that
 * what waits here stays small.
 */
public final class PendingRelay extends ChannelInboundHandlerAdapter {

    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private Object inputEnded;

    /** Holds nothing yet. */
    public PendingRelay() {
        this(null, false);
    }

    /**
     * @param firstBytes bytes already read before this handler came (a sniffer's), now this handler's; may be null
     * @param inputEnded whether the channel's input already ended before this handler came
     */
    public PendingRelay(ByteBuf firstBytes, boolean inputEnded) {
        if (firstBytes != null) {
            pending.add(firstBytes);
        }
        this.inputEnded = inputEnded ? ChannelInputShutdownEvent.INSTANCE : null;
    }

    /**
     * The other side is connected: what waited is written to {@code peer}, a {@link Relay} to {@code peer} (counting
     * with {@code bytesRead}) replaces this handler under its name, a half-close that waited is passed on, and both
     * channels read again. When {@code channel} went away meanwhile, {@code peer} is closed instead. Call on the
     * channel's event loop, which the peer shares.
     */
    public void connected(Channel channel, Channel peer, LongConsumer bytesRead) {
        if (!channel.isActive()) {
            peer.close();
            return;
        }
        for (Object msg; (msg = pending.poll()) != null; ) {
            peer.write(msg, peer.voidPromise());
        }
        peer.flush();
        ChannelHandlerContext ctx = channel.pipeline().context(this);
        channel.pipeline().replace(this, ctx.name(), new Relay(peer, bytesRead));
        if (inputEnded != null) {
            channel.pipeline().fireUserEventTriggered(inputEnded);
        }
        Relay.resumeReading(channel);
        Relay.resumeReading(peer);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pending.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
            inputEnded = event;
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    /** Whatever was not relayed (the other side failed, or this one left) must not leak. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (Object msg; (msg = pending.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handlerRemoved(ctx);
        ctx.fireChannelInactive();
    }
}
