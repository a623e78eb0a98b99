package dev.isthmus.identity.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.client.CertificateManager.Backoff;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @RepeatedTest(20)
    void delaysDoubleWithJitterBetweenHalfAndAllOfTheCeiling() {
        assertThat(backoff.delay(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(backoff.delay(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @RepeatedTest(20)
    void delaysStopGrowingAtTheMaximum() {
        assertThat(backoff.delay(10)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
    }

    @Test
    void rejectsAnEmptyOrInvertedRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("expected: 0 < initial <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("expected: 0 < initial <= max");
    }
}
