package dev.isthmus.gateway.http;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One multiplexed h2c connection (HTTP/2 with prior knowledge) to one backend instance, for one event
 * loop; every exchange gets a stream of it. Streams beyond the backend's concurrency limit wait in the
 * encoder until one ends. After the backend's GOAWAY, or once the connection is gone, the next exchange
 * opens a new connection; the old one closes when its last stream ends. Streams are opened only once
 * the backend's SETTINGS arrived, so they respect its concurrency limit from the first one on. A connection with no stream
 * for the idle timeout is closed.
 */
final class H2cPool implements HttpUpstream {

    private static final Logger log = Logger.getLogger(H2cPool.class.getName());
    private static final Http2StreamFrameToHttpObjectCodec CLIENT_CONVERSION = new Http2StreamFrameToHttpObjectCodec(false);

    private final EventLoop loop;
    private final Endpoint endpoint;
    private final Upstreams upstreams;
    private final long idleNanos;
    private final Consumer<HttpUpstream> onEmpty;
    private Connection current;
    private int connections;

    H2cPool(EventLoop loop, Endpoint endpoint, Upstreams upstreams, Duration idleTimeout, Consumer<HttpUpstream> onEmpty) {
        this.loop = loop;
        this.endpoint = endpoint;
        this.upstreams = upstreams;
        this.idleNanos = idleTimeout.toNanos();
        this.onEmpty = onEmpty;
    }

    /** One h2c connection and the streams open on it. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready = loop.newPromise();
        private Channel channel;
        private int streams;
        private boolean goneAway;
        private ScheduledFuture<?> idleExpiry;

        boolean usable() {
            return !goneAway && (!ready.isDone() || ready.isSuccess() && channel.isActive());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame) {
                // Streams wait for the backend's first SETTINGS: until then its concurrency limit is unknown,
                // and a burst of streams over it would be refused (REFUSED_STREAM) rather than queued.
                ready.trySuccess(ctx.channel());
            } else if (msg instanceof Http2GoAwayFrame) {
                goneAway = true;
                log.fine(() -> "backend " + endpoint + " sent GOAWAY; new streams go to a new connection");
                closeIfUnused();
            }
            ReferenceCountUtil.release(msg); // SETTINGS, PING and GOAWAY: the codec already acted on them
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new IOException("h2c connection to " + endpoint + " closed"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.log(Level.FINE, "closing h2c connection to " + endpoint + " after an error", cause);
            ctx.close();
        }

        void streamClosed() {
            streams--;
            closeIfUnused();
        }

        void closeIfUnused() {
            if (streams > 0 || channel == null) {
                return;
            }
            if (goneAway || current != this) {
                channel.close();
            } else if (idleExpiry == null) {
                idleExpiry = loop.schedule(() -> {
                    idleExpiry = null;
                    if (streams == 0) {
                        channel.close();
                    }
                }, idleNanos, TimeUnit.NANOSECONDS);
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
                onEmpty.accept(H2cPool.this);
            }
        }
    }

    @Override
    public void acquire(Promise<Channel> leased) {
        if (current == null || !current.usable()) {
            current = connect();
        }
        Connection connection = current;
        if (connection.idleExpiry != null) {
            connection.idleExpiry.cancel(false);
            connection.idleExpiry = null;
        }
        connection.streams++;
        connection.ready.addListener(ready -> openStream(connection, ready, leased));
    }

    private Connection connect() {
        Connection connection = new Connection();
        connections++;
        ChannelFuture connect = upstreams.connect(loop, endpoint, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings()
                                .pushEnabled(false)
                                .maxHeaderListSize(HttpSessionInstaller.MAX_BACKEND_HEADER_SIZE))
                        .encoderEnforceMaxConcurrentStreams(true)
                        .build());
                channel.pipeline().addLast(new ConnectionWindow(HttpSessionInstaller.CONNECTION_WINDOW));
                channel.pipeline().addLast(new Http2MultiplexHandler(new RefusePush()));
                channel.pipeline().addLast(connection);
            }
        });
        connection.channel = connect.channel();
        connection.channel.closeFuture().addListener(f -> connection.closed());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                connect.channel().config().setAutoRead(true);
            } else {
                connection.ready.tryFailure(f.cause());
            }
        });
        return connection;
    }

    private void openStream(Connection connection, Future<? super Channel> ready, Promise<Channel> leased) {
        if (!ready.isSuccess() || !connection.channel.isActive()) {
            connection.streamClosed();
            leased.setFailure(ready.isSuccess() ? new IOException("h2c connection to " + endpoint + " closed") : ready.cause());
            return;
        }
        new Http2StreamChannelBootstrap(connection.channel)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(CLIENT_CONVERSION, new BackendHandler());
                    }
                })
                .open()
                .addListener(opened -> {
                    if (opened.isSuccess()) {
                        Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                        stream.closeFuture().addListener(f -> connection.streamClosed());
                        leased.setSuccess(stream);
                    } else {
                        connection.streamClosed();
                        leased.setFailure(opened.cause());
                    }
                });
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

    /** Push is disabled in our SETTINGS; a stream the backend opens anyway is closed. */
    private static final class RefusePush extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel stream) {
            stream.close();
        }
    }
}
