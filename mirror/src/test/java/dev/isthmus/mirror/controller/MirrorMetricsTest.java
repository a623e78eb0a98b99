package dev.isthmus.mirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MirrorMetricsTest {

    @Test
    void gatewayAliveIsZeroUntilALocalGatewayHasAnswered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new MirrorMetrics(registry, "east", new RequestCounter(), new RequestCounter());

        assertThat(registry.get("gateway_alive").tag("target_cluster_name", "east").gauge().value()).isZero();
    }
}
