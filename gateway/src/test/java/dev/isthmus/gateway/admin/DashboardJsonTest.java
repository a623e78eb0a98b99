package dev.isthmus.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard page polls: routes from the table, totals from the same meters as /metrics. */
class DashboardJsonTest {

    static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");

    @Test
    void splitsCarryTheirWeightsAndEachBackendsRequestsAndRefusalsTheirReasons() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        ExportedService local = new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", 1, true), new Endpoint("127.0.0.2", 1, false)));
        RemoteTarget east = new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", 2, true)), GATEWAY,
                "podinfo.test.svc.cluster.local", 9898);
        RouteTable routes = new RouteTable("cluster.local", List.of(local), List.of(
                new OutboundRoute(4180, "podinfo", List.of(new WeightedBackend(local, 80), new WeightedBackend(east, 20)))));
        metrics.outboundRequest("podinfo", 200, "east", 2_000_000);
        metrics.outboundRequest("podinfo", 503, "east", 1_000_000);
        metrics.outboundRequest("podinfo", 200, "local", 1_000_000);
        metrics.request("podinfo.test.svc.cluster.local:9898", 200, GATEWAY.toString(), 500_000_000);
        metrics.rejected(Rejection.NOT_EXPORTED);

        String json = DashboardJson.render(routes, registry);

        assertThat(json).contains("\"exported\":[{\"service\":\"podinfo.test.svc.cluster.local:9898\",\"endpoints\":2,\"ready\":1}]")
                .contains("\"routes\":[{\"route\":\"podinfo\",\"port\":4180,\"backends\":[{\"backend\":\"local\",\"weight\":80,"
                        + "\"requests\":1},{\"backend\":\"east\",\"weight\":20,\"requests\":2}]}]")
                .contains("\"inbound\":[{\"service\":\"podinfo.test.svc.cluster.local:9898\",\"requests\":{\"2xx\":1},\"latencySeconds\":0.5}]")
                .contains("\"outbound\":[{\"service\":\"podinfo\",\"requests\":{\"2xx\":2,\"5xx\":1},\"latencySeconds\":0.004}]")
                .endsWith("\"refusals\":{\"not_exported\":1}}\n");
    }

    @Test
    void nothingYetIsEmptyListsNotMissingOnes() {
        assertThat(DashboardJson.render(RouteTable.EMPTY, new SimpleMeterRegistry()))
                .matches("\\{\"time\":\"[^\"]+\",\"exported\":\\[\\],\"routes\":\\[\\],\"inbound\":\\[\\],\"outbound\":\\[\\],\"refusals\":\\{\\}\\}\n");
    }
}
