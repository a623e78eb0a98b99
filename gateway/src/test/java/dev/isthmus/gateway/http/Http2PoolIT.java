package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streams of pooled HTTP/2 connections to a real h2c backend on loopback: sharing, and the idle timeout of a connection. */
class Http2PoolIT {

    private final EventLoopGroup group = IoTransport.NIO.newGroup(1);
    private final EventLoop loop = group.next();
    private final TestBackend backend;

    Http2PoolIT() throws InterruptedException {
        backend = new TestBackend(BackendProtocol.H2C);
    }

    @AfterEach
    void stop() {
        backend.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Http2Pool pool(Duration idleTimeout) {
        Endpoint endpoint = new Endpoint("127.0.0.1", backend.port(), true);
        Upstreams upstreams = new Upstreams(new LoadBalancer(), Duration.ofSeconds(5));
        return new Http2Pool(loop, "backend " + endpoint, (l, http2) -> Http2Pool.connected(upstreams.connect(l, endpoint, http2)),
                idleTimeout, new PoolOwner() {
                    @Override
                    public void emptied(HttpUpstream pool) {}

                    @Override
                    public void refilled(HttpUpstream pool) {}
                });
    }

    private <T> T onLoop(Callable<T> call) throws Exception {
        return loop.submit(call).get(10, TimeUnit.SECONDS);
    }

    private Channel lease(Http2Pool pool) throws Exception {
        Promise<Channel> leased = onLoop(() -> {
            Promise<Channel> promise = loop.newPromise();
            pool.acquire(promise);
            return promise;
        });
        return leased.get(10, TimeUnit.SECONDS);
    }

    /** An unused stream (no id yet) is closed on release, as an abandoned exchange's would be. */
    private void abandon(Http2Pool pool, Channel stream) throws Exception {
        onLoop(() -> {
            pool.release(stream, false);
            return null;
        });
    }

    @Test
    void streamsShareOneConnectionAndTheSecondRidesAReusedOne() throws Exception {
        Http2Pool pool = pool(Duration.ofHours(1));
        Channel first = lease(pool);
        Channel second = lease(pool);

        assertThat(second.parent()).isSameAs(first.parent());
        assertThat(HttpUpstream.reused(first)).isFalse();
        assertThat(HttpUpstream.reused(second)).isTrue();
    }

    @Test
    void aConnectionWithoutStreamsForTheIdleTimeoutClosesAndTheNextStreamGetsANewOne() throws Exception {
        Http2Pool pool = pool(Duration.ofMillis(100));
        Channel first = lease(pool);
        Channel connection = first.parent();
        abandon(pool, first);

        assertThat(connection.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        Channel next = lease(pool);
        assertThat(next.parent()).isNotSameAs(connection);
        assertThat(next.parent().isActive()).isTrue();
    }

    @Test
    void aConnectionThatHasAStreamAgainIsNotClosedByItsEarlierIdleCheck() throws Exception {
        Http2Pool pool = pool(Duration.ofMillis(100));
        Channel first = lease(pool);
        Channel connection = first.parent();
        abandon(pool, first);
        Channel second = lease(pool); // before or after the check that was pending: either way the connection is in use

        assertThat(connection.closeFuture().await(500, TimeUnit.MILLISECONDS) && second.parent() == connection)
                .as("a connection with an open stream closed by its idle check").isFalse();
    }
}
