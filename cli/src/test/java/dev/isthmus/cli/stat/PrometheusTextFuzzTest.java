package dev.isthmus.cli.stat;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.testkit.fuzz.Fuzz;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code isthmus stat} parses whatever a pod's {@code /metrics} returns: a seeded mutation fuzzer
 * ({@link Fuzz}) may only get samples or a {@link MetricsFormatException} out of it.
 */
class PrometheusTextFuzzTest {

    static final String SCRAPE = """
            # HELP isthmus_gateway_requests_total HTTP requests through the gateway
            # TYPE isthmus_gateway_requests_total counter
            isthmus_gateway_requests_total{peer="spiffe://cluster.local/ns/a/sa/b",status_class="2xx",target="podinfo.test.svc.cluster.local:9898",} 42.0
            isthmus_gateway_requests_total{peer="x",status_class="5xx",target="y:1"} 1e3
            # TYPE isthmus_gateway_request_duration_seconds histogram
            isthmus_gateway_request_duration_seconds_bucket{target="y:1",le="0.001"} 0
            isthmus_gateway_request_duration_seconds_bucket{target="y:1",le="+Inf"} 3
            isthmus_gateway_request_duration_seconds_count{target="y:1"} 3
            isthmus_gateway_request_duration_seconds_sum{target="y:1"} 0.25
            process_uptime_seconds 1234.5 1700000000000
            weird_escapes{a="q\\"uote\\\\back\\nline"} NaN
            """;

    @Test
    void metricsText() throws Exception {
        Fuzz.target("Prometheus text")
                .seeds(List.of(SCRAPE.getBytes(UTF_8), "a 1\n".getBytes(UTF_8)))
                .dictionary("# TYPE ", "# HELP ", "{", "}", "=\"", "\",", "\\\"", "\\n", "\\\\", " +Inf", " -Inf", " NaN", " 1e308",
                        "_bucket", "le=", "\n", " ")
                .documented(MetricsFormatException.class)
                .iterations(20_000)
                .run(bytes -> "samples " + Math.min(PrometheusText.parse(new String(bytes, UTF_8), "fuzz").size(), 3));
    }
}
