package dev.isthmus.gateway.http;

import dev.isthmus.gateway.pipeline.PipelineTail;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Multiplexed HTTP/2 connections to one upstream, for one event loop; every exchange gets a stream of
 * the current connection. How a connection is made is the {@link Dialer}'s business: plain TCP to an h2c
 * backend (prior knowledge), or mTLS and a transport header to a peer gateway; from the first HTTP/2
 * byte on, both are the same. Streams are opened only once the upstream's SETTINGS arrived, so they
 * respect its concurrency limit from the first one on; when the current connection holds as many
 * streams as that limit, the next exchange opens another connection. After the upstream's GOAWAY, or
 * once the connection is gone, the next exchange opens a new connection; the old one closes when its
 * last stream ends. A connection with no stream for the idle timeout is closed.
 */
public final class Http2Pool implements HttpUpstream {

    /** Makes the connections of a pool. */
    @FunctionalInterface
    public interface Dialer {
        /**
         * Starts a connection on {@code loop} with {@code http2} behind the transport's own handlers. The
         * future gives the channel when HTTP/2 may start (connected; for TLS, handshake done), or fails
         * saying why not, with the channel (if there was one) closed.
         */
        Future<Channel> dial(EventLoop loop, ChannelHandler http2);
    }

    private static final Logger log = Logger.getLogger(Http2Pool.class.getName());
    /**
     * Without header validation: it would be the second. Responses come through the connection's HPACK decoder
     * ({@link Http2ClientCodec}, Netty's default {@code validateHeaders}), which refuses a name that is no lower-case
     * token and a value with NUL, CR or LF; requests come from the gateway's HTTP/1 decoder, which validates too
     * ({@code HttpProxyIT.anUpstreamsHeaderValueWithCrLfNeverReachesTheClient} holds the first half).
     */
    private static final Http2StreamFrameToHttpObjectCodec CLIENT_CONVERSION = new Http2StreamFrameToHttpObjectCodec(false, false);
    /**
     * Every stream of every pool gets the same two handlers, so one initializer serves them all. No
     * {@link PipelineTail} behind the {@link BackendHandler}: it consumes every message, exception and event,
     * so a tail per stream would cost a handler per request and never see anything.
     */
    private static final ChannelInitializer<Http2StreamChannel> STREAM = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(CLIENT_CONVERSION, new BackendHandler());
        }
    };

    private final EventLoop loop;
    private final String name;
    private final Dialer dialer;
    private final long idleNanos;
    private final PoolOwner owner;
    private Connection current;
    private int connections;

    /**
     * @param name how logs and errors name the upstream
     * @param owner told when the pool's last connection closed, so that it may forget the pool, and when it has one again
     */
    public Http2Pool(EventLoop loop, String name, Dialer dialer, Duration idleTimeout, PoolOwner owner) {
        this.loop = loop;
        this.name = name;
        this.dialer = dialer;
        this.idleNanos = idleTimeout.toNanos();
        this.owner = owner;
    }

    /** One HTTP/2 connection and the streams open on it. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready = loop.newPromise();
        /** Tells this connection that one of its streams closed; one listener for all of them. */
        private final GenericFutureListener<Future<Void>> streamEnded = f -> streamClosed();
        /** Opens the streams; one for the connection, made when the connection is. */
        private Http2StreamChannelBootstrap streams;
        private Channel channel;
        private int openStreams;
        /** The upstream's SETTINGS_MAX_CONCURRENT_STREAMS; unlimited until it says otherwise. */
        private long maxStreams = Long.MAX_VALUE;
        private boolean goneAway;
        private final Runnable expiryCheck = this::expire;
        private ScheduledFuture<?> idleExpiry;
        private long idleSinceNanos;

        boolean usable() {
            return !goneAway && openStreams < maxStreams && (!ready.isDone() || ready.isSuccess() && channel.isActive());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame settings) {
                Long limit = settings.settings().maxConcurrentStreams();
                if (limit != null) {
                    maxStreams = limit;
                }
                // Streams wait for the upstream's first SETTINGS: until then its concurrency limit is unknown,
                // and a burst of streams over it would be refused (REFUSED_STREAM) rather than queued.
                ready.trySuccess(ctx.channel());
            } else if (msg instanceof Http2GoAwayFrame) {
                goneAway = true;
                log.fine(() -> name + " sent GOAWAY; new streams go to a new connection");
                closeIfUnused();
            }
            ReferenceCountUtil.release(msg); // SETTINGS, PING and GOAWAY: the codec already acted on them
        }

        /**
         * The upstream ended its side (FIN, or TLS close_notify): it will answer no stream of this connection,
         * so the connection closes now and its streams with it. Connections allow half-closure (opaque
         * tunnels need it); without this close, streams in flight waited for their timeout and new ones
         * were still opened on a connection whose peer was gone (a remote gateway killed, say).
         */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent || event instanceof SslCloseCompletionEvent) {
                log.fine(() -> name + " ended its side of an HTTP/2 connection; closing it");
                ctx.close();
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new IOException("the HTTP/2 connection to " + name + " closed"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.log(Level.FINE, "closing the HTTP/2 connection to " + name + " after an error", cause);
            ctx.close();
        }

        void streamClosed() {
            openStreams--;
            closeIfUnused();
        }

        void closeIfUnused() {
            if (openStreams > 0 || channel == null) {
                return;
            }
            if (goneAway || current != this) {
                channel.close();
            } else {
                idleSinceNanos = loop.ticker().nanoTime();
                expireIn(idleNanos);
            }
        }

        /**
         * One pending check at a time, left to run even if a stream opens meanwhile: at low concurrency a
         * connection goes unused after nearly every request, and a timer cancelled by the next one cost a
         * priority-queue insertion and removal per request.
         */
        private void expireIn(long delayNanos) {
            if (idleExpiry == null) {
                idleExpiry = loop.schedule(expiryCheck, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void expire() {
            idleExpiry = null;
            if (openStreams > 0 || !channel.isOpen()) {
                return; // the next time the connection goes unused schedules again
            }
            long idle = loop.ticker().nanoTime() - idleSinceNanos;
            if (idle >= idleNanos) {
                channel.close();
            } else {
                expireIn(idleNanos - idle);
            }
        }

        void closed() {
            if (idleExpiry != null) {
                idleExpiry.cancel(false);
            }
            if (current == this) {
                current = null;
            }
            if (--connections == 0) {
                owner.emptied(Http2Pool.this);
            }
        }
    }

    @Override
    public void acquire(Promise<Channel> leased) {
        boolean reused = current != null && current.usable() && current.ready.isSuccess();
        if (current == null || !current.usable()) {
            current = connect();
        }
        Connection connection = current;
        connection.openStreams++;
        if (connection.ready.isDone()) {
            openStream(connection, connection.ready, leased, reused); // the common case: no listener to allocate
        } else {
            connection.ready.addListener(ready -> openStream(connection, ready, leased, reused));
        }
    }

    private Connection connect() {
        Connection connection = new Connection();
        if (connections++ == 0) {
            owner.refilled(this);
        }
        Future<Channel> dialed = dialer.dial(loop, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                // Many streams write on this one connection in the same event-loop turn; one flush (one TLS
                // record, one write) for all of them instead of one per frame.
                channel.pipeline().addLast(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
                channel.pipeline().addLast(Http2ClientCodec.create(Http2Settings.defaultSettings()
                        .pushEnabled(false)
                        .maxHeaderListSize(HttpSessionInstaller.MAX_BACKEND_HEADER_SIZE)));
                channel.pipeline().addLast(new ConnectionWindow(HttpSessionInstaller.CONNECTION_WINDOW));
                channel.pipeline().addLast(new Http2MultiplexHandler(new RefusePush()));
                channel.pipeline().addLast(connection);
                PipelineTail.addTo(channel.pipeline()); // this runs after the dialer's initializer, which added it first
            }
        });
        dialed.addListener(f -> {
            if (f.isSuccess()) {
                connection.channel = (Channel) f.getNow();
                connection.streams = new Http2StreamChannelBootstrap(connection.channel).handler(STREAM);
                connection.channel.closeFuture().addListener(closed -> connection.closed());
                connection.channel.config().setAutoRead(true);
            } else {
                connection.ready.tryFailure(f.cause());
                connection.closed();
            }
        });
        return connection;
    }

    /** A plain connection's future as the {@link Dialer} gives it: the channel once connected; closed when it failed. */
    public static Future<Channel> connected(ChannelFuture connect) {
        Promise<Channel> connected = connect.channel().eventLoop().newPromise();
        connect.addListener(f -> {
            if (f.isSuccess()) {
                connected.setSuccess(connect.channel());
            } else {
                connect.channel().close();
                connected.setFailure(f.cause());
            }
        });
        return connected;
    }

    /** @param reused the connection was up before this exchange asked: its failure now is a stale connection's */
    private void openStream(Connection connection, Future<? super Channel> ready, Promise<Channel> leased, boolean reused) {
        if (!ready.isSuccess() || !connection.channel.isActive()) {
            connection.streamClosed();
            leased.setFailure(!ready.isSuccess() ? ready.cause() : closed(reused, null));
            return;
        }
        Future<Http2StreamChannel> opened = connection.streams.open();
        if (opened.isDone()) {
            streamOpened(connection, opened, leased, reused); // on the event loop, a stream opens at once
        } else {
            opened.addListener(f -> streamOpened(connection, opened, leased, reused));
        }
    }

    private void streamOpened(Connection connection, Future<Http2StreamChannel> opened, Promise<Channel> leased, boolean reused) {
        if (opened.isSuccess()) {
            Http2StreamChannel stream = opened.getNow();
            stream.closeFuture().addListener(connection.streamEnded);
            stream.attr(REUSED).set(reused);
            leased.setSuccess(stream);
        } else {
            connection.streamClosed();
            leased.setFailure(reused ? closed(true, opened.cause()) : opened.cause());
        }
    }

    private IOException closed(boolean reused, Throwable cause) {
        String message = "the HTTP/2 connection to " + name + " closed";
        return reused ? new StaleConnectionException(message, cause) : new IOException(message, cause);
    }

    /**
     * A stream serves one exchange. One that finished both ways closes by itself once the codec has seen
     * its end; closing it here would send RST_STREAM for every request, which servers guarding against
     * rapid-reset floods (Netty's, for one) answer by closing the connection. One that did not finish is
     * closed, which resets it: what an abandoned exchange needs. So is one never used (no id yet).
     */
    @Override
    public void release(Channel stream, boolean reusable) {
        if (!reusable || ((Http2StreamChannel) stream).stream().id() < 0) {
            stream.close();
        }
    }

    /** Push is disabled in our SETTINGS; a stream the upstream opens anyway is closed. */
    private static final class RefusePush extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel stream) {
            stream.close();
        }
    }
}
