package dev.isthmus.gateway.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongConsumer;

/**
 * Copies bytes from its channel to a peer channel, one half of a byte relay. Backpressure through
 * auto-read: when the peer cannot take more, this side stops reading until the peer drains.
 *
 * <p>Half-close: a TCP FIN is passed on as a half-close (a FIN to a backend, a TLS close_notify to a
 * peer gateway), so protocols that end a request by closing their side still get their answer. A
 * close_notify <em>received</em> ends the session both ways: TLS engines answer it with their own
 * close_notify, after which nothing more can be sent on that connection.
 */
public final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final LongConsumer bytesRead;
    private boolean inputDone;

    public Relay(Channel peer, LongConsumer bytesRead) {
        this.peer = peer;
        this.bytesRead = bytesRead;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            bytesRead.accept(buf.readableBytes());
        }
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Our channel drained: let the peer read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            resumeReading(peer);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslCloseCompletionEvent) {
            inputDone = true;
            closeOnFlush(peer);
            closeOnFlush(ctx.channel());
        } else if (event instanceof ChannelInputShutdownEvent && !inputDone) {
            inputDone = true;
            Relay other = peer.pipeline().get(Relay.class);
            if (other != null && other.inputDone) {
                closeOnFlush(peer); // both directions are finished
                closeOnFlush(ctx.channel());
            } else {
                shutdownOutput(peer);
            }
        }
        ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeOnFlush(ctx.channel());
    }

    /** Ends the peer's output once what was written reaches it; closes it when it cannot half-close. */
    private void shutdownOutput(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> tls.closeOutbound());
        } else if (channel instanceof DuplexChannel duplex) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (duplex.isInputShutdown()) {
                    channel.close();
                } else {
                    duplex.shutdownOutput();
                }
            });
        } else {
            closeOnFlush(channel);
        }
    }

    /**
     * Turns reading back on, unless the channel's input already ended: there is nothing left to read, and on
     * native epoll, asking for reads on a socket whose input was shut down fails ({@code epoll_ctl}: ENOENT) and
     * closes the channel, with whatever answer was still on its way to it.
     */
    public static void resumeReading(Channel channel) {
        if (channel instanceof DuplexChannel duplex && duplex.isInputShutdown()) {
            return;
        }
        channel.config().setAutoRead(true);
    }

    public static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
