package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkStateTest {

    static final ProbedLink EAST = new ProbedLink("east", List.of(), TestPki.GATEWAY);
    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    @Test
    void aNewLinkIsAliveButNotYetProbed() {
        LinkStatus status = new LinkState(3, T0).snapshot(EAST);

        assertThat(status.alive()).isTrue();
        assertThat(status.probed()).isFalse();
        assertThat(status.lastChange()).isEqualTo(T0);
        assertThat(status.lastLatency()).isNull();
        assertThat(status.lastError()).isNull();
    }

    @Test
    void aLinkDiesOnTheThresholdthFailureInARowAndOnlyThen() {
        LinkState state = new LinkState(3, T0);

        assertThat(state.failed("refused", T0.plusSeconds(1))).isFalse();
        assertThat(state.failed("refused", T0.plusSeconds(2))).isFalse();
        assertThat(state.alive()).isTrue();
        assertThat(state.failed("timed out", T0.plusSeconds(3))).as("the transition").isTrue();
        assertThat(state.failed("timed out", T0.plusSeconds(4))).as("already dead: no second transition").isFalse();

        LinkStatus status = state.snapshot(EAST);
        assertThat(status.alive()).isFalse();
        assertThat(status.consecutiveFailures()).isEqualTo(4);
        assertThat(status.lastError()).isEqualTo("timed out");
        assertThat(status.lastChange()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void aSuccessInBetweenStartsTheCountAgain() {
        LinkState state = new LinkState(3, T0);
        state.failed("refused", T0);
        state.failed("refused", T0);
        state.succeeded(Duration.ofMillis(4), T0);
        state.failed("refused", T0);
        state.failed("refused", T0);

        assertThat(state.alive()).isTrue();
        assertThat(state.snapshot(EAST).consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void oneSuccessRevivesADeadLink() {
        LinkState state = new LinkState(2, T0);
        state.failed("refused", T0.plusSeconds(1));
        state.failed("refused", T0.plusSeconds(2));

        assertThat(state.succeeded(Duration.ofMillis(7), T0.plusSeconds(3))).isTrue();
        assertThat(state.succeeded(Duration.ofMillis(5), T0.plusSeconds(4))).as("already alive").isFalse();

        LinkStatus status = state.snapshot(EAST);
        assertThat(status.alive()).isTrue();
        assertThat(status.probed()).isTrue();
        assertThat(status.consecutiveFailures()).isZero();
        assertThat(status.lastError()).isNull();
        assertThat(status.lastLatency()).isEqualTo(Duration.ofMillis(5));
        assertThat(status.lastChange()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void aThresholdOfOneMakesTheFirstFailureFatal() {
        LinkState state = new LinkState(1, T0);

        assertThat(state.failed("refused", T0)).isTrue();
        assertThat(state.alive()).isFalse();
    }

    @Test
    void aThresholdBelowOneIsRefused() {
        assertThatThrownBy(() -> new LinkState(0, T0)).hasMessage("failureThreshold: 0 (expected: at least 1)");
    }
}
