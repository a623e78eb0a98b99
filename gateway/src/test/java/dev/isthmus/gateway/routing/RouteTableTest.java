package dev.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.identity.SpiffeId;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final SpiffeId EAST_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    private static final LinkedGateway EAST = new LinkedGateway("east", List.of(new Endpoint("203.0.113.7", 4143, true)),
            EAST_ID, ProbeOverrides.NONE);
    private static final LinkedGateway NORTH = new LinkedGateway("north", List.of(new Endpoint("203.0.113.9", 4143, true)),
            EAST_ID, ProbeOverrides.NONE);

    private static ExportedService podinfo(boolean ready) {
        return new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1,
                List.of(new Endpoint("10.0.0.9", 9898, ready)));
    }

    private static final ExportedService REDIS = new ExportedService("redis.test.svc.cluster.local", 6379,
            BackendProtocol.OPAQUE, List.of(new Endpoint("10.0.0.10", 6379, true)));

    private static OutboundRoute mirror(int port) {
        return OutboundRoute.mirror(port, "podinfo-east.test.svc.cluster.local:9898", EAST.target("podinfo.test.svc.cluster.local", 9898));
    }

    @Test
    void twoTablesBuiltFromTheSameObjectsAreEqualWhateverTheOrder() {
        RouteTable first = new RouteTable("cluster.local", List.of(podinfo(true), REDIS), List.of(mirror(14000)), List.of(EAST, NORTH));
        RouteTable rebuilt = new RouteTable("cluster.local", List.of(REDIS, podinfo(true)), List.of(mirror(14000)), List.of(NORTH, EAST));

        assertThat(rebuilt).isEqualTo(first);
        assertThat(rebuilt.hashCode()).isEqualTo(first.hashCode());
    }

    @Test
    void anEndpointTurningNotReadyMakesTheTableDifferent() {
        RouteTable before = new RouteTable("cluster.local", List.of(podinfo(true)), List.of(), List.of(EAST));
        RouteTable after = new RouteTable("cluster.local", List.of(podinfo(false)), List.of(), List.of(EAST));

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void anOutboundRouteOnAnotherPortMakesTheTableDifferent() {
        RouteTable before = new RouteTable("cluster.local", List.of(), List.of(mirror(14000)), List.of(EAST));
        RouteTable after = new RouteTable("cluster.local", List.of(), List.of(mirror(14001)), List.of(EAST));

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void aLinkWithoutRoutesStillCounts() {
        RouteTable before = new RouteTable("cluster.local", List.of(), List.of(), List.of(EAST));
        RouteTable after = new RouteTable("cluster.local", List.of(), List.of(), List.of(EAST, NORTH));

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void theClusterDomainIsPartOfTheValue() {
        assertThat(new RouteTable("east.example", List.of())).isNotEqualTo(new RouteTable("cluster.local", List.of()))
                .isNotEqualTo(null).isNotEqualTo("cluster.local");
        assertThat(new RouteTable("cluster.local", List.of())).isEqualTo(RouteTable.EMPTY);
    }
}
