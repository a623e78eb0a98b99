package dev.isthmus.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.probe.LinkStatus;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.testkit.Golden;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinksJsonTest {

    static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");

    @Test
    void nothingProbedIsAnEmptyList() {
        assertThat(LinksJson.render(List.of())).isEqualTo("{\"links\":[]}\n");
    }

    @Test
    void rendersTheDocumentedFields() {
        LinkStatus east = new LinkStatus("east", EAST, true, true, 0, Duration.ofMillis(2).plusNanos(700_000), null,
                Instant.parse("2026-11-25T13:00:00Z"));

        assertThat(LinksJson.render(List.of(east))).isEqualTo("{\"links\":[{\"link\":\"east\",\"identity\":\""
                + EAST + "\",\"alive\":true,\"probed\":true,\"consecutiveFailures\":0,\"latencyMs\":2.7,\"lastError\":null,"
                + "\"lastChange\":\"2026-11-25T13:00:00Z\"}]}\n");
    }

    /** The mirror's {@code LinkHealthTest} parses the same file: the writer and the reader share one example. */
    @Test
    void rendersTheSharedGoldenExample() {
        LinkStatus east = new LinkStatus("east", EAST, true, true, 0, Duration.ofMillis(2).plusNanos(700_000), null,
                Instant.parse("2026-11-25T13:00:00Z"));
        LinkStatus west = new LinkStatus("west",
                SpiffeId.parse("spiffe://west.example/ns/isthmus-multicluster/sa/isthmus-gateway"), false, true, 3,
                Duration.ofMillis(1).plusNanos(250_000), "connect: Connection refused", Instant.parse("2026-11-25T13:05:00Z"));
        LinkStatus north = new LinkStatus("north",
                SpiffeId.parse("spiffe://north.example/ns/isthmus-multicluster/sa/isthmus-gateway"), true, false, 0, null,
                null, Instant.parse("2026-11-25T13:10:00Z"));

        assertThat(LinksJson.render(List.of(east, west, north))).isEqualTo(Golden.text("links.json"));
    }

    @Test
    void aLinkNotProbedYetHasNoLatency() {
        LinkStatus fresh = new LinkStatus("north", EAST, true, false, 0, null, null, Instant.parse("2026-11-25T13:00:00Z"));

        assertThat(LinksJson.render(List.of(fresh))).contains("\"probed\":false").contains("\"latencyMs\":null");
    }

    @Test
    void anErrorTextCannotBreakOutOfItsString() {
        String hostile = "refused \"quoted\" \\ back\nslash\t\u0000\u2028 \",\"alive\":true";
        LinkStatus dead = new LinkStatus("east", EAST, false, true, 3, Duration.ofMillis(1), hostile,
                Instant.parse("2026-11-25T13:00:00Z"));

        String json = LinksJson.render(List.of(dead, dead));

        assertThat(json).contains("\"lastError\":\"refused \\\"quoted\\\" \\\\ back\\nslash\\t\\u0000\\u2028 \\\",\\\"alive\\\":true\"")
                .contains("\"alive\":false").doesNotContain("\"alive\":true")
                .contains("}},{\"link\"".substring(1));
        assertThat(json.chars().filter(c -> c < 0x20).count()).as("raw control characters").isEqualTo(1); // the final newline
    }
}
