package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which requests to a local backend share a pool: its key, the instance's address and protocol. Nothing connects (pools
 * connect on the first lease).
 */
class UpstreamPoolsTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final UpstreamPools pools = new UpstreamPools(new Upstreams(new LoadBalancer(), Duration.ofSeconds(1)), Duration.ofSeconds(60));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void theSameAddressAndProtocolShareAPoolWhereverTheEndpointWasMade() {
        EventLoop loop = channel.eventLoop();
        HttpUpstream pool = pools.pool(loop, new Endpoint("10.0.0.7", 9898, true), BackendProtocol.HTTP1);

        assertThat(pools.pool(loop, new Endpoint(new String("10.0.0.7"), 9898, true), BackendProtocol.HTTP1)).isSameAs(pool);
    }

    @Test
    void anotherHostPortOrProtocolIsAnotherPool() {
        EventLoop loop = channel.eventLoop();
        HttpUpstream pool = pools.pool(loop, new Endpoint("10.0.0.7", 9898, true), BackendProtocol.HTTP1);

        assertThat(pools.pool(loop, new Endpoint("10.0.0.8", 9898, true), BackendProtocol.HTTP1)).isNotSameAs(pool);
        assertThat(pools.pool(loop, new Endpoint("10.0.0.7", 9899, true), BackendProtocol.HTTP1)).isNotSameAs(pool);
        assertThat(pools.pool(loop, new Endpoint("10.0.0.7", 9898, true), BackendProtocol.H2C)).isNotSameAs(pool);
    }
}
