package dev.isthmus.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters a session keeps count into the very meters, with the very tags, that the per-call methods use. */
class GatewayMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);

    @Test
    void keptInboundMetersAreTheOnesRequestCountsInto() {
        GatewayMetrics.Requests kept = metrics.requests("svc:80", "spiffe://a/b");
        kept.record(200, 1_000_000);
        kept.record(204, 3_000_000);
        kept.record(503, 1_000_000);
        metrics.request("svc:80", 200, "spiffe://a/b", 1_000_000);

        assertThat(registry.get("isthmus.gateway.requests").tags("target", "svc:80", "status_class", "2xx", "peer", "spiffe://a/b")
                .counter().count()).isEqualTo(3);
        assertThat(registry.get("isthmus.gateway.requests").tags("target", "svc:80", "status_class", "5xx", "peer", "spiffe://a/b")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("isthmus.gateway.request.duration").tag("target", "svc:80").timer().count()).isEqualTo(4);
        assertThat(registry.get("isthmus.gateway.request.duration").tag("target", "svc:80").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(6);
        assertThat(registry.get("isthmus.gateway.requests").counters()).hasSize(2);
    }

    @Test
    void keptOutboundMetersAreTheOnesOutboundRequestCountsInto() {
        GatewayMetrics.Requests east = metrics.outboundRequests("podinfo", "east");
        east.record(200, 2_000_000);
        metrics.outboundRequest("podinfo", 200, "east", 2_000_000);
        metrics.outboundRequests("podinfo", "local").record(499, 1_000_000);

        assertThat(registry.get("isthmus.gateway.outbound.requests").tags("route", "podinfo", "status_class", "2xx", "backend", "east")
                .counter().count()).isEqualTo(2);
        assertThat(registry.get("isthmus.gateway.outbound.requests").tags("route", "podinfo", "status_class", "4xx", "backend", "local")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("isthmus.gateway.outbound.request.duration").tag("route", "podinfo").timer().count()).isEqualTo(3);
        assertThat(registry.get("isthmus.gateway.outbound.backend.duration").tags("route", "podinfo", "backend", "east").timer().count())
                .isEqualTo(2);
        assertThat(registry.get("isthmus.gateway.outbound.backend.duration").tags("route", "podinfo", "backend", "local").timer().count())
                .isEqualTo(1);
    }

    @Test
    void aStatusOutsideTheClassesHttpDefinesIsCountedUnderItsOwnClass() {
        GatewayMetrics.Requests kept = metrics.requests("svc:80", "peer");
        kept.record(799, 1_000_000);
        kept.record(799, 1_000_000);

        assertThat(registry.get("isthmus.gateway.requests").tag("status_class", "7xx").counter().count()).isEqualTo(2);
    }

    @Test
    void keepingMetersRegistersNothingUntilARequestFinishes() {
        List<Meter> before = List.copyOf(registry.getMeters());
        metrics.requests("svc:80", "peer");
        metrics.outboundRequests("route", "east");

        assertThat(registry.getMeters()).hasSameSizeAs(before);
    }
}
