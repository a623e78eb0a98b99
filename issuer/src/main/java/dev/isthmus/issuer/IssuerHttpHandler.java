package dev.isthmus.issuer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Answers the requests of one connection, one at a time and in order (HTTP/1.1 pipelining needs replies
 * in request order). While an answer is computed off the event loop the channel stops reading, which is
 * also the backpressure: a client cannot queue work faster than it is done. Replies are written on the
 * channel's event loop.
 */
final class IssuerHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = Logger.getLogger(IssuerHttpHandler.class.getName());

    private final Routes routes;
    private final InFlightRequests inFlight;
    /** Requests already decoded from the same read as an earlier one still being answered. */
    private final Queue<ReceivedRequest> waiting = new ArrayDeque<>();
    private boolean answering;
    /** A reply that closes the connection was written: what was queued behind it goes unanswered. */
    private boolean closing;

    IssuerHttpHandler(Routes routes, InFlightRequests inFlight) {
        this.routes = routes;
        this.inFlight = inFlight;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        inFlight.started();
        waiting.add(ReceivedRequest.copyOf(request));
        answerWaiting(ctx);
    }

    private void answerWaiting(ChannelHandlerContext ctx) {
        while (!answering && !closing && !waiting.isEmpty()) {
            CompletableFuture<Reply> reply = answer(waiting.poll());
            if (reply.isDone()) {
                write(ctx, reply.join());
                continue;
            }
            answering = true;
            ctx.channel().config().setAutoRead(false);
            reply.whenComplete((answer, failure) -> {
                try {
                    ctx.executor().execute(() -> {
                        answering = false;
                        write(ctx, answer != null ? answer : unexpected(failure));
                        ctx.channel().config().setAutoRead(true);
                        answerWaiting(ctx);
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.finished(); // the event loop is gone: the service closed while this was computed
                }
            });
        }
    }

    private CompletableFuture<Reply> answer(ReceivedRequest request) {
        try {
            return routes.answer(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(unexpected(e));
        }
    }

    private void write(ChannelHandlerContext ctx, Reply reply) {
        Reply sent = inFlight.draining() ? reply.closing() : reply;
        closing |= sent.close();
        ctx.writeAndFlush(sent.toResponse()).addListener(written -> {
            inFlight.finished();
            if (sent.close() || !written.isSuccess()) {
                ctx.close();
            }
        });
    }

    private static Reply unexpected(Throwable failure) {
        log.log(Level.SEVERE, "answering a request failed unexpectedly", failure);
        return Reply.failure(Failure.INTERNAL_ERROR, "the issuer failed unexpectedly: " + failure).closing();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (int i = waiting.size(); i > 0; i--) {
            inFlight.finished();
        }
        waiting.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            // Reading pauses while a request is answered; only a client that leaves the line silent
            // between requests (or stalls in the middle of one) is idle.
            if (!answering) {
                log.fine(() -> "closing the idle connection from " + ctx.channel().remoteAddress());
                ctx.close();
            }
            return;
        }
        if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            // Probes, scanners and clients that distrust us end here; not the service's fault, so not a warning.
            log.fine(() -> "TLS handshake with " + ctx.channel().remoteAddress() + " failed: " + handshake.cause());
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isClientsDoing(cause)) {
            log.fine(() -> "closing the connection from " + ctx.channel().remoteAddress() + ": " + cause);
        } else {
            log.log(Level.WARNING, "closing the connection from " + ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /** Resets, hang-ups mid-request, and bytes that are not TLS: nothing the service can fix. */
    private static boolean isClientsDoing(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        return root instanceof NotSslRecordException
                || root instanceof PrematureChannelClosureException || root instanceof SSLException
                || root instanceof IOException;
    }
}
