package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Keep-alive connections to a real loopback server: reuse, the idle timeout, and a backend's close while idle. */
class Http1PoolIT {

    private final EventLoopGroup group = IoTransport.NIO.newGroup(1);
    private final EventLoop loop = group.next();
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final Channel server;
    private int emptied;

    Http1PoolIT() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(IoTransport.NIO.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.add(channel);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Http1Pool pool(Duration idleTimeout) {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        return new Http1Pool(loop, new Endpoint("127.0.0.1", port, true), new Upstreams(new LoadBalancer(), Duration.ofSeconds(5)),
                idleTimeout, new PoolOwner() {
                    @Override
                    public void emptied(HttpUpstream pool) {
                        emptied++;
                    }

                    @Override
                    public void refilled(HttpUpstream pool) {}
                });
    }

    private <T> T onLoop(Callable<T> call) throws Exception {
        return loop.submit(call).get(10, TimeUnit.SECONDS);
    }

    private BackendHandler lease(Http1Pool pool) throws Exception {
        Promise<BackendLease> leased = onLoop(() -> {
            Promise<BackendLease> promise = loop.newPromise();
            pool.acquire(promise);
            return promise;
        });
        return (BackendHandler) leased.get(10, TimeUnit.SECONDS);
    }

    private void release(Http1Pool pool, BackendHandler connection) throws Exception {
        onLoop(() -> {
            pool.release(connection, true);
            return null;
        });
    }

    @Test
    void aReleasedConnectionIsLeasedAgainAndMarkedReused() throws Exception {
        Http1Pool pool = pool(Duration.ofHours(1));
        BackendHandler first = lease(pool);
        assertThat(first.reused()).isFalse();
        release(pool, first);

        BackendHandler second = lease(pool);
        assertThat(second.channel()).isSameAs(first.channel());
        assertThat(second.reused()).isTrue();
        assertThat(accepted).hasSize(1);
    }

    @Test
    void aConnectionIdleForTheIdleTimeoutIsClosedAndTheNextLeaseGetsANewOne() throws Exception {
        Http1Pool pool = pool(Duration.ofMillis(100));
        BackendHandler first = lease(pool);
        BackendHandler other = lease(pool);
        release(pool, first);
        release(pool, other);

        assertThat(first.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(other.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(onLoop(() -> emptied)).isEqualTo(1);
        Channel next = lease(pool).channel();
        assertThat(next).isNotSameAs(first.channel()).isNotSameAs(other.channel());
        assertThat(next.isActive()).isTrue();
    }

    @Test
    void aConnectionTheBackendClosesWhileIdleLeavesThePool() throws Exception {
        Http1Pool pool = pool(Duration.ofHours(1));
        BackendHandler first = lease(pool);
        release(pool, first);

        accepted.poll(10, TimeUnit.SECONDS).close();
        assertThat(first.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        BackendHandler next = lease(pool);
        assertThat(next.channel()).isNotSameAs(first.channel());
        assertThat(next.reused()).isFalse();
    }

    @Test
    void aConnectionThatIsNotReusableIsClosed() throws Exception {
        Http1Pool pool = pool(Duration.ofHours(1));
        BackendHandler first = lease(pool);
        onLoop(() -> {
            pool.release(first, false);
            return null;
        });

        assertThat(first.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(lease(pool).channel()).isNotSameAs(first.channel());
    }
}
