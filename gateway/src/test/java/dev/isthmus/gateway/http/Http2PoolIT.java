package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    /**
     * Exchanges that asked before the upstream's SETTINGS came are more than its stream limit (Netty's server allows
     * 100): each still gets a stream, the ones past the limit on another connection. Netty's codec used to buffer them;
     * without either, they failed as streams the upstream refused.
     */
    @Test
    void exchangesThatWaitedBeyondTheUpstreamsStreamLimitGoToAnotherConnection() throws Exception {
        Http2Pool pool = pool(Duration.ofHours(1));
        List<String> outcomes = new ArrayList<>(); // written on the loop only
        List<Future<BackendLease>> leases = onLoop(() -> {
            List<Future<BackendLease>> asked = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                Promise<BackendLease> promise = loop.newPromise();
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        exchange(pool, (BackendLease) f.getNow(), outcomes);
                    }
                });
                pool.acquire(promise);
                asked.add(promise);
            }
            return asked;
        });

        Set<Channel> connections = new HashSet<>();
        for (Future<BackendLease> lease : leases) {
            connections.add(((Http2Call) lease.get(10, TimeUnit.SECONDS)).connection());
        }
        assertThat(connections).hasSize(2);
        for (int i = 0; i < 100 && onLoop(outcomes::size) < 150; i++) {
            Thread.sleep(50); // the responses are on their way: this bounds the wait for them
        }
        assertThat(onLoop(() -> new HashSet<>(outcomes))).as("no stream was refused or reset").containsExactly("200");
    }

    /** What an exchange does with its lease, in short: the head at once (which opens the stream), then the response. */
    private static void exchange(Http2Pool pool, BackendLease lease, List<String> outcomes) {
        lease.attach(new BackendLease.Listener() {
            @Override
            public void backendRead(HttpObject msg) {
                if (msg instanceof HttpResponse response) {
                    outcomes.add(String.valueOf(response.status().code()));
                }
                ReferenceCountUtil.release(msg);
                if (msg instanceof LastHttpContent) {
                    lease.detach();
                    pool.release(lease, true);
                }
            }

            @Override
            public void backendReadComplete() {}

            @Override
            public void backendWritable() {}

            @Override
            public void backendClosed() {
                outcomes.add("closed");
            }
        });
        DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/hello", Unpooled.EMPTY_BUFFER);
        get.headers().set(HttpHeaderNames.HOST, "backend");
        lease.write(get);
        lease.flush();
    }
}
