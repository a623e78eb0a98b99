package dev.isthmus.cli.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Statistics from what the real {@link GatewayMetrics} writes through Micrometer's Prometheus registry. */
class GatewayStatsTest {

    static final String PODINFO = "podinfo.test.svc.cluster.local:9898";
    static final String SPLIT = "podinfo.test.svc.cluster.local:9898-split";

    @Test
    void ratesSuccessLatencyAndTlsFromTwoRealScrapes() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayMetrics metrics = new GatewayMetrics(registry);
        for (int i = 0; i < 40; i++) {
            metrics.request(PODINFO, 200, "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway", ms(5));
        }
        List<Sample> before = PrometheusText.parse(registry.scrape(), "east");

        for (int i = 0; i < 90; i++) {
            metrics.request(PODINFO, i % 3 == 0 ? 404 : 200, "spiffe://a", ms(5));
        }
        for (int i = 0; i < 10; i++) {
            metrics.request(PODINFO, 503, "spiffe://a", ms(800));
        }
        for (int i = 0; i < 30; i++) {
            metrics.outboundRequest(SPLIT, 200, "local", ms(2));
            metrics.outboundRequest(SPLIT, 200, "east", ms(20));
        }
        List<Sample> after = PrometheusText.parse(registry.scrape(), "east");

        List<ServiceStats> stats = GatewayStats.between(Map.of("east", before), Map.of("east", after), Duration.ofSeconds(10));

        assertThat(stats).extracting(ServiceStats::service).containsExactly(PODINFO, SPLIT);
        ServiceStats inbound = stats.get(0);
        assertThat(inbound.requests()).isEqualTo(100);
        assertThat(inbound.successRate()).as("4xx are successes, 5xx not").isEqualTo(0.9);
        assertThat(inbound.requestsPerSecond()).isEqualTo(10.0);
        assertThat(inbound.tlsShare()).isEqualTo(1.0);
        assertThat(inbound.latency(0.5) * 1000).as("p50 within the bucket holding 5 ms").isBetween(4.0, 6.0);
        assertThat(inbound.latency(0.99) * 1000).as("p99 within the bucket holding 800 ms").isBetween(700.0, 900.0);
        ServiceStats split = stats.get(1);
        assertThat(split.requests()).isEqualTo(60);
        assertThat(split.tlsShare()).as("half went to east over mTLS, half to a local backend").isEqualTo(0.5);
        assertThat(split.latency(0.25) * 1000).isBetween(1.5, 2.5);
        assertThat(split.latency(0.75) * 1000).isBetween(17.0, 23.0);

        StringWriter table = new StringWriter();
        StatTable.print(stats, new PrintWriter(table));
        assertThat(table.toString().lines().toList().get(0))
                .matches("SERVICE\\s+SUCCESS\\s+RPS\\s+LATENCY_P50\\s+LATENCY_P95\\s+LATENCY_P99\\s+TLS");
        assertThat(table.toString()).containsPattern(PODINFO + "\\s+90\\.00%\\s+10\\.0rps\\s+\\d\\.\\dms\\s+\\d+ms\\s+\\d+ms\\s+100%")
                .containsPattern(SPLIT + "\\s+100\\.00%\\s+6\\.0rps\\s+.*\\s+50%");
    }

    @Test
    void eachBackendOfASplitGetsItsShareSuccessAndLatencyAndEachLinkItsTotal() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayMetrics metrics = new GatewayMetrics(registry);
        metrics.outboundRequest(SPLIT, 200, "east", ms(20));
        List<Sample> before = PrometheusText.parse(registry.scrape(), "west");
        for (int i = 0; i < 75; i++) {
            metrics.outboundRequest(SPLIT, 200, "local", ms(2));
        }
        for (int i = 0; i < 25; i++) {
            metrics.outboundRequest(SPLIT, i < 5 ? 503 : 200, "east", ms(20));
            metrics.outboundRequest("podinfo-east", 200, "east", ms(200));
        }
        List<Sample> after = PrometheusText.parse(registry.scrape(), "west");

        List<BackendStats> leaves = GatewayStats.backends(Map.of("west", before), Map.of("west", after), Duration.ofSeconds(10));

        assertThat(leaves).extracting(BackendStats::route, BackendStats::backend).containsExactly(
                org.assertj.core.groups.Tuple.tuple("podinfo-east", "east"), org.assertj.core.groups.Tuple.tuple(SPLIT, "east"),
                org.assertj.core.groups.Tuple.tuple(SPLIT, "local"));
        BackendStats east = leaves.get(1);
        BackendStats local = leaves.get(2);
        assertThat(east.share()).isEqualTo(0.25);
        assertThat(local.share()).isEqualTo(0.75);
        assertThat(east.stats().successRate()).isEqualTo(0.8);
        assertThat(east.stats().tlsShare()).isEqualTo(1.0);
        assertThat(local.stats().tlsShare()).isZero();
        assertThat(east.stats().latency(0.5) * 1000).as("east's own latency, not the route's").isBetween(17.0, 23.0);
        assertThat(local.stats().latency(0.5) * 1000).isBetween(1.5, 2.5);

        List<ServiceStats> links = GatewayStats.links(leaves);
        assertThat(links).extracting(ServiceStats::service).containsExactly("east");
        assertThat(links.get(0).requests()).isEqualTo(50);
        assertThat(links.get(0).successRate()).isEqualTo(0.9);
        assertThat(links.get(0).latency(0.99) * 1000).as("over both routes to east").isBetween(170.0, 230.0);

        StringWriter table = new StringWriter();
        StatTable.printSplits(leaves, new PrintWriter(table));
        assertThat(table.toString()).containsPattern("APEX\\s+LEAF\\s+SHARE\\s+SUCCESS\\s+RPS\\s+LATENCY_P50")
                .containsPattern(SPLIT.replace(".", "\\.") + "\\s+local\\s+75%\\s+100\\.00%\\s+7\\.5rps\\s+\\d\\.\\dms.*\\s0%\n")
                .containsPattern(SPLIT.replace(".", "\\.") + "\\s+east\\s+25%\\s+80\\.00%\\s+2\\.5rps\\s+.*\\s100%\n");
        StringWriter linkTable = new StringWriter();
        StatTable.printLinks(links, new PrintWriter(linkTable));
        assertThat(linkTable.toString()).containsPattern("LINK\\s+REQUESTS\\s+SUCCESS\\s+RPS\\s+LATENCY_P50\\s+LATENCY_P99\\s+TLS\n")
                .containsPattern("east\\s+50\\s+90\\.00%\\s+5\\.0rps\\s+\\d+ms\\s+\\d+ms\\s+100%\n");
    }

    @Test
    void aCounterThatWentBackwardsIsARestartAndCountsFromZero() {
        List<Sample> before = PrometheusText.parse("""
                isthmus_gateway_requests_total{peer="p",status_class="2xx",target="a:80"} 100
                isthmus_gateway_request_duration_seconds_bucket{target="a:80",le="0.01"} 80
                isthmus_gateway_request_duration_seconds_bucket{target="a:80",le="0.1"} 100
                isthmus_gateway_request_duration_seconds_bucket{target="a:80",le="+Inf"} 100
                """, "gw");
        List<Sample> after = PrometheusText.parse("""
                isthmus_gateway_requests_total{peer="p",status_class="2xx",target="a:80"} 30
                isthmus_gateway_request_duration_seconds_bucket{target="a:80",le="0.01"} 0
                isthmus_gateway_request_duration_seconds_bucket{target="a:80",le="0.1"} 30
                isthmus_gateway_request_duration_seconds_bucket{target="a:80",le="+Inf"} 30
                """, "gw");

        ServiceStats stats = GatewayStats.between(Map.of("gw", before), Map.of("gw", after), Duration.ofSeconds(10)).get(0);

        assertThat(stats.requests()).isEqualTo(30);
        assertThat(stats.latency(0.5)).as("all buckets from the second scrape: between 10 and 100 ms")
                .isCloseTo(0.01 + 0.09 * 0.5, within(1e-9));
    }

    @Test
    void sumsGatewaysAndTakesNewSeriesFromZero() {
        String text = """
                isthmus_gateway_outbound_requests_total{backend="east",route="podinfo-east",status_class="2xx"} %s
                isthmus_gateway_outbound_requests_total{backend="east",route="podinfo-east",status_class="5xx"} %s
                """;
        Map<String, List<Sample>> before = Map.of("gw-1", PrometheusText.parse(text.formatted("10", "0"), "gw-1"));
        Map<String, List<Sample>> after = Map.of(
                "gw-1", PrometheusText.parse(text.formatted("20", "5"), "gw-1"),
                "gw-2", PrometheusText.parse(text.formatted("15", "0"), "gw-2"));

        ServiceStats stats = GatewayStats.between(before, after, Duration.ofSeconds(5)).get(0);

        assertThat(stats.requests()).isEqualTo(30);
        assertThat(stats.successRate()).isCloseTo(25.0 / 30, within(1e-9));
        assertThat(stats.requestsPerSecond()).isEqualTo(6.0);
        assertThat(stats.latency(0.5)).as("no histogram scraped").isNaN();
        assertThat(stats.tlsShare()).isEqualTo(1.0);
    }

    @Test
    void nanAndInfiniteCountersAreNoCountsAndIdleServicesShowDashes() {
        List<Sample> after = PrometheusText.parse("""
                isthmus_gateway_requests_total{peer="p",status_class="2xx",target="a:80"} NaN
                isthmus_gateway_requests_total{peer="p",status_class="2xx",target="b:80"} +Inf
                isthmus_gateway_requests_total{peer="p",status_class="2xx",target="c:80"} 0
                """, "gw");

        List<ServiceStats> stats = GatewayStats.between(Map.of("gw", after), Map.of("gw", after), Duration.ofSeconds(10));

        assertThat(stats).extracting(ServiceStats::service).containsExactly("c:80");
        StringWriter table = new StringWriter();
        StatTable.print(stats, new PrintWriter(table));
        assertThat(table.toString()).containsPattern("c:80\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-");
    }

    @Test
    void aBadBucketBoundNamesTheSourceAndLine() {
        List<Sample> after = PrometheusText.parse(
                "isthmus_gateway_request_duration_seconds_bucket{target=\"a:80\",le=\"soon\"} 1\n", "http://gw/metrics");

        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> GatewayStats.between(Map.of(), Map.of("http://gw/metrics", after), Duration.ofSeconds(1)))
                .isInstanceOf(MetricsFormatException.class)
                .hasMessage("http://gw/metrics line 1: le=\"soon\" on isthmus_gateway_request_duration_seconds_bucket"
                        + " is not a bucket bound (expected: a number or +Inf)");
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
