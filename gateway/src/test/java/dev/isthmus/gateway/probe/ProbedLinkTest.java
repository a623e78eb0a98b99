package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.ProbeOverrides;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbedLinkTest {

    static final SpiffeId EAST_GW = SpiffeId.parse("spiffe://east.example/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId NORTH_GW = SpiffeId.parse("spiffe://north.example/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final List<Endpoint> EAST_ADDRESSES = List.of(new Endpoint("10.0.0.1", 4143, true), new Endpoint("10.0.0.2", 4143, true));
    static final List<Endpoint> NORTH_ADDRESSES = List.of(new Endpoint("10.1.0.1", 4143, true));

    static RemoteTarget east(String service) {
        return new RemoteTarget("east", EAST_ADDRESSES, EAST_GW, service, 9898);
    }

    @Test
    void theLinksAreThoseOfTheRemoteTargetsOfEveryRouteOnce() {
        ExportedService local = new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", 9898, true)));
        RouteTable table = new RouteTable("cluster.local", List.of(), List.of(
                OutboundRoute.mirror(4200, "podinfo-east", east("podinfo.test.svc.cluster.local")),
                OutboundRoute.mirror(4201, "web-east", east("web.test.svc.cluster.local")),
                new OutboundRoute(4202, "podinfo-split", List.of(new WeightedBackend(local, 50),
                        new WeightedBackend(new RemoteTarget("north", NORTH_ADDRESSES, NORTH_GW, "podinfo.test.svc.cluster.local", 9898), 50)))));

        assertThat(ProbedLink.of(table)).containsOnly(
                entry("east", new ProbedLink("east", EAST_ADDRESSES, EAST_GW)),
                entry("north", new ProbedLink("north", NORTH_ADDRESSES, NORTH_GW)));
    }

    @Test
    void whereTargetsOfOneLinkDisagreeTheLowestPortWins() {
        RouteTable table = new RouteTable("cluster.local", List.of(), List.of(
                OutboundRoute.mirror(4300, "later", new RemoteTarget("east", NORTH_ADDRESSES, EAST_GW, "a.test.svc.cluster.local", 80)),
                OutboundRoute.mirror(4200, "first", east("b.test.svc.cluster.local"))));

        assertThat(ProbedLink.of(table).get("east").gateways()).isEqualTo(EAST_ADDRESSES);
    }

    @Test
    void aLinksOwnProbeSettingsComeWithItAndAChangeIsAnotherLink() {
        ProbeOverrides fast = new ProbeOverrides(Duration.ofSeconds(1), null, 1);
        RouteTable table = new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(4200, "podinfo-east",
                new RemoteTarget("east", EAST_ADDRESSES, EAST_GW, "podinfo.test.svc.cluster.local", 9898, fast))));

        ProbedLink east = ProbedLink.of(table).get("east");
        assertThat(east.probe()).isEqualTo(fast);
        assertThat(east).isNotEqualTo(new ProbedLink("east", EAST_ADDRESSES, EAST_GW)); // LinkProbes restarts the probe

        ProbeSettings own = ProbeSettings.DEFAULTS.with(east.probe());
        assertThat(own.period()).isEqualTo(Duration.ofSeconds(1));
        assertThat(own.timeout()).isEqualTo(ProbeSettings.DEFAULTS.timeout());
        assertThat(own.failureThreshold()).isEqualTo(1);
        assertThat(ProbeSettings.DEFAULTS.with(ProbeOverrides.NONE)).isEqualTo(ProbeSettings.DEFAULTS);
    }

    @Test
    void aLinkedGatewayWithoutRoutesIsProbedAndARoutesTargetWinsForItsLink() {
        RouteTable table = new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(14000, "podinfo-east", east("podinfo"))),
                List.of(new LinkedGateway("north", NORTH_ADDRESSES, NORTH_GW, ProbeOverrides.NONE),
                        new LinkedGateway("east", List.of(), EAST_GW, ProbeOverrides.NONE)));
        assertThat(ProbedLink.of(table)).containsOnly(
                entry("east", new ProbedLink("east", EAST_ADDRESSES, EAST_GW)),
                entry("north", new ProbedLink("north", NORTH_ADDRESSES, NORTH_GW)));
    }

    @Test
    void aTableWithoutOutboundRoutesHasNoLinks() {
        assertThat(ProbedLink.of(RouteTable.EMPTY)).isEmpty();
    }
}
