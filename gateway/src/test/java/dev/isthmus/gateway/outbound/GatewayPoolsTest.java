package dev.isthmus.gateway.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.identity.SpiffeId;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which requests to remote gateways share a pool: its key. Nothing is dialed (pools dial on the first lease), so
 * the dialer has no connector.
 */
class GatewayPoolsTest {

    private static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    private static final SpiffeId NORTH = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-north");
    private static final Endpoint GATEWAY = new Endpoint("192.0.2.1", 4143, true);
    private static final Endpoint OTHER_GATEWAY = new Endpoint("192.0.2.2", 4143, true);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final GatewayPools pools = new GatewayPools(new GatewayDialer(null, new ReconnectBackoff(System::nanoTime), null),
            Duration.ofSeconds(60));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static RemoteTarget target(String link, SpiffeId identity, String service, int port) {
        return new RemoteTarget(link, List.of(GATEWAY, OTHER_GATEWAY), identity, service, port);
    }

    @Test
    void theSameGatewayIdentityAndServiceShareAPoolWhicheverLinkAsks() {
        EventLoop loop = channel.eventLoop();
        var pool = pools.pool(loop, target("east", EAST, "podinfo.test.svc.cluster.local", 9898), GATEWAY);

        assertThat(pools.pool(loop, target("east-again", EAST, "podinfo.test.svc.cluster.local", 9898), GATEWAY)).isSameAs(pool);
    }

    /** The key checks identity first, for the route's own instances; equal ones made anew (a new route table) match too. */
    @Test
    void anEqualAddressAndIdentityMadeAnewShareThePool() {
        EventLoop loop = channel.eventLoop();
        var pool = pools.pool(loop, target("east", EAST, "podinfo.test.svc.cluster.local", 9898), GATEWAY);

        assertThat(pools.pool(loop, target("east", SpiffeId.parse(EAST.toString()), new String("podinfo.test.svc.cluster.local"), 9898),
                new Endpoint(new String(GATEWAY.host()), GATEWAY.port(), GATEWAY.ready()))).isSameAs(pool);
    }

    @Test
    void anotherAddressIdentityServiceOrPortIsAnotherPool() {
        EventLoop loop = channel.eventLoop();
        var pool = pools.pool(loop, target("east", EAST, "podinfo.test.svc.cluster.local", 9898), GATEWAY);

        assertThat(pools.pool(loop, target("east", EAST, "podinfo.test.svc.cluster.local", 9898), OTHER_GATEWAY)).isNotSameAs(pool);
        assertThat(pools.pool(loop, target("east", NORTH, "podinfo.test.svc.cluster.local", 9898), GATEWAY)).isNotSameAs(pool);
        assertThat(pools.pool(loop, target("east", EAST, "web.test.svc.cluster.local", 9898), GATEWAY)).isNotSameAs(pool);
        assertThat(pools.pool(loop, target("east", EAST, "podinfo.test.svc.cluster.local", 9899), GATEWAY)).isNotSameAs(pool);
    }
}
