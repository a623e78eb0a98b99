package dev.isthmus.gateway.http;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections to one backend instance, for one event loop. A connection serves one
 * exchange at a time; a new one is made when none is idle. Idle connections keep reading, so a backend
 * that closes one is noticed at once and the connection leaves the pool; one idle for longer than the
 * idle timeout is closed by the gateway. The most recently used connection is reused first, so under
 * light load the others age out. One sweep per pool, scheduled only while connections idle, closes those
 * idle past the timeout: a timer per release, cancelled by the next lease, cost a priority-queue insertion
 * and removal per request.
 */
final class Http1Pool implements HttpUpstream {

    /** Idle connections beyond this many, per event loop and instance, are closed rather than kept. */
    static final int MAX_IDLE = 64;

    private final EventLoop loop;
    private final Endpoint endpoint;
    private final Upstreams upstreams;
    private final long idleNanos;
    private final PoolOwner owner;
    private final IdleConnections idle = new IdleConnections(MAX_IDLE);
    private final Runnable sweep = this::sweep;
    private boolean sweepPending;
    private int open;

    Http1Pool(EventLoop loop, Endpoint endpoint, Upstreams upstreams, Duration idleTimeout, PoolOwner owner) {
        this.loop = loop;
        this.endpoint = endpoint;
        this.upstreams = upstreams;
        this.idleNanos = idleTimeout.toNanos();
        this.owner = owner;
    }

    @Override
    public void acquire(Promise<BackendLease> leased) {
        for (Channel channel; (channel = idle.pollNewest()) != null; ) {
            if (channel.isActive()) {
                leased.setSuccess(channel.pipeline().get(BackendHandler.class).leased(true));
                return;
            }
        }
        acquireFresh(leased);
    }

    @Override
    public void acquireFresh(Promise<BackendLease> leased) {
        if (open++ == 0) {
            owner.refilled(this);
        }
        BackendHandler handler = new BackendHandler();
        ChannelFuture connect = upstreams.connect(loop, endpoint, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(new HttpClientCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(HttpSessionInstaller.MAX_INITIAL_LINE)
                        .setMaxHeaderSize(HttpSessionInstaller.MAX_BACKEND_HEADER_SIZE)
                        .setMaxChunkSize(HttpSessionInstaller.MAX_CHUNK), false, false));
                channel.pipeline().addLast(handler);
            }
        });
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> closed(channel));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                channel.config().setAutoRead(true);
                leased.setSuccess(handler.leased(false));
            } else {
                leased.setFailure(f.cause());
            }
        });
    }

    @Override
    public void release(BackendLease lease, boolean reusable) {
        Channel channel = ((BackendHandler) lease).channel();
        long now = loop.ticker().nanoTime();
        if (!reusable || !channel.isActive() || !idle.offer(channel, now)) {
            channel.close();
            return;
        }
        channel.config().setAutoRead(true); // so that a close by the backend is seen while the connection idles
        scheduleSweep(now);
    }

    /** Due when the oldest idle connection expires; one pending sweep is enough, whenever it is due. */
    private void scheduleSweep(long now) {
        if (!sweepPending && !idle.isEmpty()) {
            sweepPending = true;
            loop.schedule(sweep, Math.max(0, idle.oldestSinceNanos() + idleNanos - now), TimeUnit.NANOSECONDS);
        }
    }

    private void sweep() {
        sweepPending = false;
        long now = loop.ticker().nanoTime();
        for (Channel expired; (expired = idle.pollIdleSince(now - idleNanos)) != null; ) {
            expired.close();
        }
        scheduleSweep(now);
    }

    private void closed(Channel channel) {
        idle.remove(channel);
        if (--open == 0) {
            owner.emptied(this);
        }
    }
}
