package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a response as it streams, keeping only its length; once {@code pauseAt} bytes are in, it stops
 * reading until {@link #resume}, as a slow client would.
 */
final class BodyCounter extends ChannelInboundHandlerAdapter {

    final AtomicLong received = new AtomicLong();
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    final CountDownLatch paused = new CountDownLatch(1);
    private final long pauseAt;
    private volatile Channel channel;
    private int status;

    BodyCounter(long pauseAt) {
        this.pauseAt = pauseAt;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof HttpContent content) {
                long total = received.addAndGet(content.content().readableBytes());
                if (total >= pauseAt && paused.getCount() > 0) {
                    ctx.channel().config().setAutoRead(false);
                    paused.countDown();
                }
            }
            if (msg instanceof LastHttpContent) {
                done.complete(status);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    void resume() {
        channel.config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        done.completeExceptionally(new IOException("closed after " + received.get() + " bytes of the body"));
        ctx.fireChannelInactive();
    }
}
