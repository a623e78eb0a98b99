package dev.isthmus.mirror.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.testkit.Golden;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LinkHealthTest {

    private static final String BODY = "{\"links\":[{\"link\":\"east\",\"identity\":\"spiffe://x\",\"alive\":false,"
            + "\"probed\":true,\"consecutiveFailures\":3,\"latencyMs\":null,\"lastError\":\"connect refused\","
            + "\"lastChange\":\"2026-11-25T13:00:00Z\"},{\"link\":\"west\",\"alive\":true,\"latencyMs\":2.7}]}";

    @Test
    void readsTheEntryOfOneLink() {
        assertThat(LinkHealth.parse(BODY, "east")).contains(new LinkHealth(false, null, "connect refused"));
        assertThat(LinkHealth.parse(BODY, "west")).contains(new LinkHealth(true, 2.7, null));
        assertThat(LinkHealth.parse(BODY, "north")).isEmpty();
    }

    /** The gateway's {@code LinksJsonTest} renders exactly this file: the writer and the reader share one example. */
    @Test
    void readsTheSharedGoldenExample() {
        String golden = Golden.text("links.json");

        assertThat(LinkHealth.parse(golden, "east")).contains(new LinkHealth(true, 2.7, null));
        assertThat(LinkHealth.parse(golden, "west")).contains(new LinkHealth(false, 1.25, "connect: Connection refused"));
        assertThat(LinkHealth.parse(golden, "north")).contains(new LinkHealth(true, null, null));
        assertThat(LinkHealth.parse(golden, "south")).isEmpty();
    }

    @Test
    void rejectsAnswersThatAreNotTheFormat() {
        assertThatThrownBy(() -> LinkHealth.parse("<html>", "east")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> LinkHealth.parse("{}", "east")).hasMessageContaining("no \"links\" array");
        assertThatThrownBy(() -> LinkHealth.parse("{\"links\":[{\"link\":\"east\"}]}", "east"))
                .hasMessageContaining("boolean \"alive\"");
    }

    @Test
    void deadOnlyWhenEveryAnsweringGatewaySaysSo() {
        LinkHealth dead = new LinkHealth(false, null, "timeout");
        LinkHealth alive = new LinkHealth(true, 5.0, null);
        assertThat(LinkHealth.combine(List.of())).isEmpty();
        assertThat(LinkHealth.combine(List.of(Optional.of(dead), Optional.of(dead)))).contains(dead);
        assertThat(LinkHealth.combine(List.of(Optional.of(dead), Optional.of(alive)))).contains(alive);
        assertThat(LinkHealth.combine(List.of(Optional.of(dead), Optional.empty())).orElseThrow().alive()).isTrue();
        assertThat(LinkHealth.combine(List.of(Optional.of(alive), Optional.of(new LinkHealth(true, 1.0, null)))))
                .contains(new LinkHealth(true, 1.0, null));
    }
}
