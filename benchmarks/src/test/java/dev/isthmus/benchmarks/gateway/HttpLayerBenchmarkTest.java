package dev.isthmus.benchmarks.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's exchange carries what the two-hop path carries, every time, so that it measures that path's work. */
class HttpLayerBenchmarkTest {

    @Test
    void eachExchangeForwardsTheRequestAndAnswersTheClientWithTheBackendsResponse() throws Exception {
        HttpLayerBenchmark benchmark = new HttpLayerBenchmark();
        benchmark.setUp();
        try {
            for (int i = 0; i < 3; i++) { // the later ones on HPACK tables that hold the fields already
                List<String> seen = new ArrayList<>();
                HttpResponse response = benchmark.exchangeOnce(seen);

                assertThat(response.status().code()).isEqualTo(200);
                assertThat(seen).hasSize(3);
                assertThat(seen.get(0)).startsWith("GET / ").contains("host: 127.0.0.1:18080");
                assertThat(seen.get(1)).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("content-length: 39\r\n")
                        .containsIgnoringCase("content-type: application/json\r\n").doesNotContainIgnoringCase("connection:");
                assertThat(seen.get(2)).isEqualTo("{\"message\":\"hello from east\",\"ok\":true}");
            }
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void eachHttp2StreamIsAnsweredOnOneConnection() throws Exception {
        HttpLayerBenchmark benchmark = new HttpLayerBenchmark();
        benchmark.setUp();
        try {
            for (int i = 1; i <= 2_000; i++) { // 78 KB of bodies: more than a connection window of 64 KiB without an update
                assertThat(benchmark.http2Stream()).isEqualTo(i);
            }
            assertThat(benchmark.baselineHttp2StreamPump()).isEqualTo(2_001);
            for (int i = 2_002; i <= 4_001; i++) {
                assertThat(benchmark.http2FramesOnly()).isEqualTo(i);
            }
            for (int i = 4_002; i <= 6_001; i++) {
                assertThat(benchmark.http2StreamOneBufferFrames()).isEqualTo(i);
            }
        } finally {
            benchmark.tearDown();
        }
    }
}
