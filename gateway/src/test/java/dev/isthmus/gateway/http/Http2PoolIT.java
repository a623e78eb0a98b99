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

    private Http2Call lease(Http2Pool pool) throws Exception {
        Promise<BackendLease> leased = onLoop(() -> {
            Promise<BackendLease> promise = loop.newPromise();
            pool.acquire(promise);
            return promise;
        });
        return (Http2Call) leased.get(10, TimeUnit.SECONDS);
    }

    /** A call that opened no stream ends on release, as an abandoned exchange's would. */
    private void abandon(Http2Pool pool, Http2Call stream) throws Exception {
        onLoop(() -> {
            pool.release(stream, false);
            return null;
        });
    }

    @Test
    void streamsShareOneConnectionAndTheSecondRidesAReusedOne() throws Exception {
        Http2Pool pool = pool(Duration.ofHours(1));
        Http2Call first = lease(pool);
        Http2Call second = lease(pool);

        assertThat(second.connection()).isSameAs(first.connection());
        assertThat(first.reused()).isFalse();
        assertThat(second.reused()).isTrue();
    }

    @Test
    void aConnectionWithoutStreamsForTheIdleTimeoutClosesAndTheNextStreamGetsANewOne() throws Exception {
        Http2Pool pool = pool(Duration.ofMillis(100));
        Http2Call first = lease(pool);
        Channel connection = first.connection();
        abandon(pool, first);

        assertThat(connection.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        Http2Call next = lease(pool);
        assertThat(next.connection()).isNotSameAs(connection);
        assertThat(next.connection().isActive()).isTrue();
    }

    @Test
    void aConnectionThatHasAStreamAgainIsNotClosedByItsEarlierIdleCheck() throws Exception {
        Http2Pool pool = pool(Duration.ofMillis(100));
        Http2Call first = lease(pool);
        Channel connection = first.connection();
        abandon(pool, first);
        Http2Call second = lease(pool); // before or after the check that was pending: either way the connection is in use

        assertThat(connection.closeFuture().await(500, TimeUnit.MILLISECONDS) && second.connection() == connection)
                .as("a connection with an open stream closed by its idle check").isFalse();
    }
}
