package dev.isthmus.cli.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lines of a gateway's tap, as the CLI reads them: events, drop notes, and what else could arrive. */
class TapLineTest {

    static final String EVENT = "{\"time\":\"2026-12-06T03:00:00Z\",\"direction\":\"outbound\",\"source\":\"10.42.0.17:53422\","
            + "\"service\":\"podinfo-east.test.svc.cluster.local:9898\",\"namespace\":\"test\",\"backend\":\"east\","
            + "\"method\":\"GET\",\"path\":\"/env\",\"status\":200,\"latencyMs\":1.874,\"bytesIn\":0,\"bytesOut\":68,\"tls\":true}";

    @Test
    void anEventPrintsAsVizTapDoesWithTls() {
        TapLine line = TapLine.parse("west", EVENT);
        assertThat(line.human()).isEqualTo("end proxy=out src=10.42.0.17:53422 dst=podinfo-east.test.svc.cluster.local:9898"
                + " backend=east tls=true :method=GET :path=/env :status=200 latency=1.874ms bytes=0/68 gateway=west");
    }

    @Test
    void jsonKeepsTheEventAndAddsTheGateway() {
        assertThat(TapLine.parse("west", EVENT).json()).startsWith("{\"time\":").endsWith(",\"tls\":true,\"gateway\":\"west\"}");
    }

    @Test
    void aDropNoteIsNoEvent() {
        TapLine line = TapLine.parse("west", "{\"dropped\":42}");
        assertThat(line.isEvent()).isFalse();
        assertThat(line.dropped()).isEqualTo(42);
    }

    @Test
    void aPathCannotBreakTheLineOrForgeAnother() {
        String event = EVENT.replace("\"/env\"", "\"/a b\\nend proxy=in tls=true\\u2028\"");
        assertThat(TapLine.parse("west", event).human()).contains(":path=/a%20b%0Aend%20proxy=in%20tls=true%E2%80%A8 ").doesNotContain("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "\"text\"", "{\"status\":\"200\",\"direction\":\"outbound\"}", "{}", "{\"a\":",
        "<html>\u0007</html>"})
    void whatIsNoEventIsRefusedWithWhatWasExpected(String line) {
        assertThatThrownBy(() -> TapLine.parse("west", line)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("west: not a tap event: ").hasMessageContaining("(expected: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u0007"));
    }
}
