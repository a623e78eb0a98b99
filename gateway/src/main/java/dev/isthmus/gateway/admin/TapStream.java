package dev.isthmus.gateway.admin;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import dev.isthmus.gateway.tap.TapWatcher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code GET /tap} response: newline-delimited JSON, one {@link TapEvent} a line, chunked, until the
 * filter's limit is reached or the client goes away. The watcher's buffer is drained on the admin
 * connection's event loop every {@link #DRAIN_EVERY}, and only while the connection is writable, so a
 * reader that does not keep up costs a bounded buffer and sees a sample: a line {@code {"dropped":n}}
 * says how many events it missed. A connection that has not been writable for {@link #STALLED} is
 * closed, so a reader that never reads cannot keep a watcher's place.
 */
final class TapStream {

    static final Duration DRAIN_EVERY = Duration.ofMillis(100);
    static final Duration STALLED = Duration.ofSeconds(60);
    /** Events per chunk: bounds what one drain adds to the connection's outbound buffer. */
    static final int MAX_EVENTS_PER_DRAIN = 256;

    private final ChannelHandlerContext ctx;
    private final Tap tap;
    private final TapWatcher watcher;
    private final int limit;
    private ScheduledFuture<?> drain;
    private int sent;
    private long unwritableSince = -1;
    private boolean stopped;

    private TapStream(ChannelHandlerContext ctx, Tap tap, TapWatcher watcher) {
        this.ctx = ctx;
        this.tap = tap;
        this.watcher = watcher;
        this.limit = watcher.filter().limit();
    }

    /** Sends the response head and starts draining {@code watcher} into the connection, which from now on carries only this. */
    static void start(ChannelHandlerContext ctx, Tap tap, TapWatcher watcher) {
        TapStream stream = new TapStream(ctx, tap, watcher);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson; charset=utf-8")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(head);
        ctx.channel().closeFuture().addListener(f -> stream.stop());
        stream.drain = ctx.executor().scheduleWithFixedDelay(stream::drain, DRAIN_EVERY.toMillis(), DRAIN_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void drain() {
        if (stopped) {
            return;
        }
        if (!ctx.channel().isActive()) {
            stop();
            return;
        }
        if (!ctx.channel().isWritable()) {
            long now = System.nanoTime();
            if (unwritableSince < 0) {
                unwritableSince = now;
            } else if (now - unwritableSince > STALLED.toNanos()) {
                stop();
                ctx.close();
            }
            return;
        }
        unwritableSince = -1;
        StringBuilder lines = new StringBuilder();
        long dropped = watcher.takeDropped();
        if (dropped > 0) {
            lines.append("{\"dropped\":").append(dropped).append("}\n");
        }
        int drained = 0;
        boolean done = false;
        for (TapEvent event; drained < MAX_EVENTS_PER_DRAIN && (event = watcher.poll()) != null; ) {
            lines.append(event.json()).append('\n');
            drained++;
            if (limit > 0 && ++sent >= limit) {
                done = true;
                break;
            }
        }
        if (lines.length() > 0) {
            ByteBuf chunk = ctx.alloc().buffer(lines.length());
            chunk.writeCharSequence(lines, UTF_8);
            ctx.write(new DefaultHttpContent(chunk));
        }
        if (done) {
            stop();
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else if (lines.length() > 0) {
            ctx.flush();
        }
    }

    private void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (drain != null) {
            drain.cancel(false);
        }
        tap.unwatch(watcher);
    }
}
