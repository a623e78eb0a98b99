package dev.isthmus.gateway.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TapEventTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/env|/env", "/env?token=secret|/env", "/a#frag|/a", "http://podinfo:9898/env?x=1|/env", "http://podinfo:9898|/",
        "*|*", "''|/"})
    void thePathLeavesTheQueryOut(String uri, String path) {
        assertThat(TapEvent.pathOf(uri)).isEqualTo(path);
    }

    @Test
    void aHugePathIsCut() {
        assertThat(TapEvent.pathOf("/" + "a".repeat(10_000))).hasSize(TapEvent.MAX_PATH);
    }

    @Test
    void aLineIsOneJsonObjectWhateverThePathHolds() {
        TapEvent event = new TapEvent(Instant.parse("2026-12-06T03:00:00Z"), TapEvent.Direction.INBOUND,
                "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway", "podinfo.test.svc.cluster.local:9898", "local",
                "GET", "/a\"b\\c\n\u2028", 200, 2_345_678, 3, 1234, true);
        assertThat(event.json()).isEqualTo("{\"time\":\"2026-12-06T03:00:00Z\",\"direction\":\"inbound\","
                + "\"source\":\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\","
                + "\"service\":\"podinfo.test.svc.cluster.local:9898\",\"namespace\":\"test\",\"backend\":\"local\","
                + "\"method\":\"GET\",\"path\":\"/a\\\"b\\\\c\\n\\u2028\",\"status\":200,\"latencyMs\":2.346,"
                + "\"bytesIn\":3,\"bytesOut\":1234,\"tls\":true}");
    }

    @Test
    void aRouteOutsideKubernetesHasNoNamespace() {
        TapEvent event = new TapEvent(Instant.EPOCH, TapEvent.Direction.OUTBOUND, "c", "split", "east", "GET", "/", 200, 0, 0, 0,
                true);
        assertThat(event.namespace()).isNull();
        assertThat(event.serviceName()).isEqualTo("split");
    }
}
