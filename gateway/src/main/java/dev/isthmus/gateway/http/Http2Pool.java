package dev.isthmus.gateway.http;

import dev.isthmus.gateway.pipeline.PipelineTail;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Multiplexed HTTP/2 connections to one upstream, for one event loop; every exchange gets a stream of
 * the current connection. How a connection is made is the {@link Dialer}'s business: plain TCP to an h2c
 * backend (prior knowledge), or mTLS and a transport header to a peer gateway; from the first HTTP/2
 * byte on, both are the same. Streams are opened only once the upstream's SETTINGS arrived, so they
 * respect its concurrency limit from the first one on; when the current connection holds as many
 * streams as that limit, the next exchange opens another connection, and so do those that waited for
 * the SETTINGS beyond the limit. Each stream is an {@link Http2Call} of the connection's
 * {@link Http2ClientSession}, written and read frame by frame. After the upstream's GOAWAY, or
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

    /** One HTTP/2 connection and the calls open on it. */
    private final class Connection implements Http2ClientSession.Owner {
        private final Promise<Channel> ready = loop.newPromise();
        private Http2ClientSession session;
        private Channel channel;
        private int openStreams;
        /** The upstream's SETTINGS_MAX_CONCURRENT_STREAMS; unlimited until it says otherwise. */
        private long maxStreams = Long.MAX_VALUE;
        private boolean goneAway;
        private final Runnable expiryCheck = this::expire;
        private ScheduledFuture<?> idleExpiry;
        private long idleSinceNanos;

        boolean usable() {
            return !goneAway && openStreams < maxStreams
                    && (!ready.isDone() || ready.isSuccess() && channel.isActive() && session.canOpenStream());
        }

        @Override
        public void settings(Long maxConcurrentStreams) {
            if (maxConcurrentStreams != null) {
                maxStreams = maxConcurrentStreams;
            }
            // Streams wait for the upstream's first SETTINGS: until then its concurrency limit is unknown, and a
            // burst of streams over it would be refused (REFUSED_STREAM) rather than queued.
            if (channel == null) {
                channel = session.context().channel(); // TLS may hand over the SETTINGS before the dial's listener ran
            }
            ready.trySuccess(channel);
        }

        @Override
        public void goneAway() {
            goneAway = true;
            log.fine(() -> name + " sent GOAWAY (or the connection ran out of stream ids); new streams go to a new connection");
            closeIfUnused();
        }

        @Override
        public void callEnded() {
            streamClosed();
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
            ready.tryFailure(new IOException("the HTTP/2 connection to " + name + " closed"));
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
    public void acquire(Promise<BackendLease> leased) {
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
        connection.session = Http2ClientSession.create(Http2Settings.defaultSettings()
                .pushEnabled(false)
                .maxHeaderListSize(HttpSessionInstaller.MAX_BACKEND_HEADER_SIZE), HttpSessionInstaller.CONNECTION_WINDOW, connection);
        Future<Channel> dialed = dialer.dial(loop, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                // Many streams write on this one connection in the same event-loop turn; one flush (one TLS record,
                // one write) for all of them instead of one per frame.
                channel.pipeline().addLast(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
                channel.pipeline().addLast(connection.session);
                PipelineTail.addTo(channel.pipeline()); // this runs after the dialer's initializer, which added it first
            }
        });
        dialed.addListener(f -> {
            if (f.isSuccess()) {
                connection.channel = (Channel) f.getNow();
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
    private void openStream(Connection connection, Future<? super Channel> ready, Promise<BackendLease> leased, boolean reused) {
        if (!ready.isSuccess() || !connection.channel.isActive()) {
            connection.streamClosed();
            leased.setFailure(!ready.isSuccess() ? ready.cause() : closed(reused, null));
            return;
        }
        if (!connection.session.canOpenStream()) {
            // The exchanges that waited for this connection's SETTINGS are more than its upstream allows at once (or
            // the upstream lowered its limit since): this one goes to another connection, which acquire now picks.
            connection.streamClosed();
            acquire(leased);
            return;
        }
        leased.setSuccess(connection.session.newCall(reused));
    }

    private IOException closed(boolean reused, Throwable cause) {
        String message = "the HTTP/2 connection to " + name + " closed";
        return reused ? new StaleConnectionException(message, cause) : new IOException(message, cause);
    }

    @Override
    public void release(BackendLease lease, boolean reusable) {
        ((Http2Call) lease).release(reusable);
    }
}
