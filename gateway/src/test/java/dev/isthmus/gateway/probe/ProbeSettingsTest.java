package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.gateway.routing.ProbeOverrides;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProbeSettingsTest {

    @Test
    void theDefaultsAreLinkerds() {
        assertThat(ProbeSettings.DEFAULTS).isEqualTo(new ProbeSettings(Duration.ofSeconds(3), Duration.ofSeconds(2), 3, 0.1, "/ready"));
    }

    @Test
    void delaysStayWithinThePeriodPlusOrMinusTheJitterAndUseTheWholeRange() {
        ProbeSettings settings = ProbeSettings.DEFAULTS;
        SplittableRandom random = new SplittableRandom(42);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long delay = settings.nextDelayNanos(random);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }

        assertThat(min).isGreaterThanOrEqualTo(Duration.ofMillis(2700).toNanos()).isLessThan(Duration.ofMillis(2750).toNanos());
        assertThat(max).isLessThanOrEqualTo(Duration.ofMillis(3300).toNanos()).isGreaterThan(Duration.ofMillis(3250).toNanos());
    }

    @Test
    void noJitterMeansExactlyThePeriod() {
        ProbeSettings settings = new ProbeSettings(Duration.ofMillis(100), Duration.ofMillis(50), 3, 0, "/ready");

        assertThat(settings.nextDelayNanos(new SplittableRandom(1))).isEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void invalidSettingsSayWhatWasExpected() {
        assertThatThrownBy(() -> new ProbeSettings(Duration.ZERO, Duration.ofSeconds(1), 3, 0.1, "/ready"))
                .hasMessage("probe period: PT0S (expected: a positive duration)");
        assertThatThrownBy(() -> new ProbeSettings(Duration.ofSeconds(1), Duration.ofSeconds(-1), 3, 0.1, "/ready"))
                .hasMessage("probe timeout: PT-1S (expected: a positive duration)");
        assertThatThrownBy(() -> new ProbeSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, 0.1, "/ready"))
                .hasMessage("probe failureThreshold: 0 (expected: at least 1)");
        assertThatThrownBy(() -> new ProbeSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, 1.0, "/ready"))
                .hasMessage("probe jitter: 1.0 (expected: a fraction from 0 up to, not including, 1)");
        assertThatThrownBy(() -> new ProbeSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, Double.NaN, "/ready"))
                .hasMessageStartingWith("probe jitter: NaN");
        assertThatThrownBy(() -> new ProbeSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, 0.1, "ready"))
                .hasMessage("probe path: 'ready' (expected: an absolute path such as /ready)");
        assertThatThrownBy(() -> new ProbeOverrides(Duration.ZERO, null, null))
                .hasMessage("probe period: PT0S (expected: a positive duration)");
        assertThatThrownBy(() -> new ProbeOverrides(null, Duration.ofSeconds(-1), null))
                .hasMessage("probe timeout: PT-1S (expected: a positive duration)");
        assertThatThrownBy(() -> new ProbeOverrides(null, null, 0))
                .hasMessage("probe failureThreshold: 0 (expected: at least 1)");
    }
}
