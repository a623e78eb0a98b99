package dev.isthmus.mirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the Link's gateway status is rewritten: on changes a user sees, not on every poll. */
class MirrorStatusTest {

    @Test
    void theFirstKnownLatencyIsWrittenWithoutWaitingForARepair() {
        MirrorStatus status = new MirrorStatus(null);
        status.gateway(new LinkHealth(true, null, null), false);
        assertThat(status.changes().gateway.latencyMs).as("alive before the first probe answered").isNull();

        status.gateway(new LinkHealth(true, 2.7, null), false);
        var written = status.changes();
        assertThat(written).as("a latency known for the first time is a change").isNotNull();
        assertThat(written.gateway.latencyMs).isEqualTo(2.7);
    }

    @Test
    void aNewLatencyAloneWaitsForTheForcedRefresh() {
        MirrorStatus status = new MirrorStatus(null);
        status.gateway(new LinkHealth(true, 2.7, null), false);
        status.changes();

        status.gateway(new LinkHealth(true, 3.1, null), false);
        assertThat(status.changes()).as("latency moves on every probe; writing each would churn the Link").isNull();
        status.gateway(new LinkHealth(true, 3.1, null), true);
        assertThat(status.changes().gateway.latencyMs).isEqualTo(3.1);
    }
}
