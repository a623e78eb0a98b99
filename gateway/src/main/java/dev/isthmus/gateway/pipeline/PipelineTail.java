package dev.isthmus.gateway.pipeline;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last handler of every pipeline in the gateway: what reaches it, no handler in front of it dealt
 * with, and that is a bug (issue 10, item 9: an exception that reached Netty's own tail, which logs it
 * as a warning and nothing more). It counts exceptions and messages, logs them at FINE, and releases
 * what it holds; it does not close the channel, so it changes nothing else. Tests fail on any count
 * (see {@code TailWatch} in the gateway's tests).
 *
 * <p>The counts are process-wide: one gateway runs per process, and a test asks whether anything
 * reached any tail while it ran.
 */
@Sharable
public final class PipelineTail extends ChannelInboundHandlerAdapter {

    public static final String NAME = "tail";

    private static final Logger log = Logger.getLogger(PipelineTail.class.getName());
    private static final PipelineTail INSTANCE = new PipelineTail();
    private static final LongAdder EXCEPTIONS = new LongAdder();
    private static final LongAdder MESSAGES = new LongAdder();
    private static volatile Throwable lastException;

    private PipelineTail() {}

    /**
     * Makes this the last handler of {@code pipeline}: at the end of a channel initializer, after its own
     * handlers. Moves it there if an earlier initializer had added it, as a dialer and the session it
     * dials for both do.
     */
    public static void addTo(ChannelPipeline pipeline) {
        if (pipeline.get(NAME) != null) {
            pipeline.remove(NAME);
        }
        pipeline.addLast(NAME, INSTANCE);
    }

    /** Exceptions that reached a tail since the process started. */
    public static long exceptions() {
        return EXCEPTIONS.sum();
    }

    /** The latest exception that reached a tail, for the message of a test that failed on it; null if none did. */
    public static Throwable lastException() {
        return lastException;
    }

    /** Messages that reached a tail since the process started. */
    public static long messages() {
        return MESSAGES.sum();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        EXCEPTIONS.increment();
        lastException = cause;
        log.log(Level.FINE, "an exception reached the end of the pipeline of " + ctx.channel(), cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MESSAGES.increment();
        log.fine(() -> "a message reached the end of the pipeline of " + ctx.channel() + ": " + msg.getClass().getName());
        ReferenceCountUtil.release(msg);
    }

    /** Events are broadcast and many are of no interest to anyone; Netty's own tail drops them too. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        ReferenceCountUtil.release(event);
    }
}
