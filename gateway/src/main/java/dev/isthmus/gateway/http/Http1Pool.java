package dev.isthmus.gateway.http;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections to one backend instance, for one event loop. A connection serves one
 * exchange at a time; a new one is made when none is idle. Idle connections keep reading, so a backend
 * that closes one is noticed at once and the connection leaves the pool; one idle for longer than the
 * idle timeout is closed by the gateway. The most recently used connection is reused first, so under
 * light load the others age out.
 */
final class Http1Pool implements HttpUpstream {

    /** Idle connections beyond this many, per event loop and instance, are closed rather than kept. */
    static final int MAX_IDLE = 64;
    private static final AttributeKey<ScheduledFuture<?>> IDLE_EXPIRY = AttributeKey.valueOf("isthmus.http1.idle-expiry");

    private final EventLoop loop;
    private final Endpoint endpoint;
    private final Upstreams upstreams;
    private final long idleNanos;
    private final PoolOwner owner;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private int open;

    Http1Pool(EventLoop loop, Endpoint endpoint, Upstreams upstreams, Duration idleTimeout, PoolOwner owner) {
        this.loop = loop;
        this.endpoint = endpoint;
        this.upstreams = upstreams;
        this.idleNanos = idleTimeout.toNanos();
        this.owner = owner;
    }

    @Override
    public void acquire(Promise<Channel> leased) {
        for (Channel channel; (channel = idle.pollLast()) != null; ) {
            channel.attr(IDLE_EXPIRY).getAndSet(null).cancel(false);
            if (channel.isActive()) {
                channel.attr(REUSED).set(true);
                leased.setSuccess(channel);
                return;
            }
        }
        acquireFresh(leased);
    }

    @Override
    public void acquireFresh(Promise<Channel> leased) {
        if (open++ == 0) {
            owner.refilled(this);
        }
        ChannelFuture connect = upstreams.connect(loop, endpoint, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(new HttpClientCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(HttpSessionInstaller.MAX_INITIAL_LINE)
                        .setMaxHeaderSize(HttpSessionInstaller.MAX_BACKEND_HEADER_SIZE)
                        .setMaxChunkSize(HttpSessionInstaller.MAX_CHUNK), false, false));
                channel.pipeline().addLast(new BackendHandler());
            }
        });
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> closed(channel));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                channel.attr(REUSED).set(false);
                channel.config().setAutoRead(true);
                leased.setSuccess(channel);
            } else {
                leased.setFailure(f.cause());
            }
        });
    }

    @Override
    public void release(Channel channel, boolean reusable) {
        if (!reusable || !channel.isActive() || idle.size() >= MAX_IDLE) {
            channel.close();
            return;
        }
        channel.config().setAutoRead(true); // so that a close by the backend is seen while the connection idles
        channel.attr(IDLE_EXPIRY).set(loop.schedule(() -> {
            if (idle.remove(channel)) {
                channel.close();
            }
        }, idleNanos, TimeUnit.NANOSECONDS));
        idle.addLast(channel);
    }

    private void closed(Channel channel) {
        if (idle.remove(channel)) {
            channel.attr(IDLE_EXPIRY).getAndSet(null).cancel(false);
        }
        if (--open == 0) {
            owner.emptied(this);
        }
    }
}
