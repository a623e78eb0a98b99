package dev.isthmus.mirror.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SplitWeightsTest {

    @ParameterizedTest
    @CsvSource({"50, 50000", "0, 0", "500m, 500", "1, 1000", "1.5, 1500", "2k, 2000000", "'  250m ', 250"})
    void readsIntegersAndQuantities(String text, long milli) {
        IntOrString weight = text.matches("\\d+") ? new IntOrString(Integer.parseInt(text)) : new IntOrString(text);

        assertThat(SplitWeights.milli(weight)).isEqualTo(milli);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "half", "-1", "-500m", "1u", "0.0001", "5x"})
    void refusesOtherWeights(String text) {
        assertThatThrownBy(() -> SplitWeights.milli(new IntOrString(text)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("weight: ")
                .hasMessageContaining("(expected: a whole number or a quantity such as 500m, at least 0)");
    }

    @Test
    void aMissingWeightIsRefused() {
        assertThatThrownBy(() -> SplitWeights.milli(null)).hasMessageStartingWith("weight: missing");
        assertThatThrownBy(() -> SplitWeights.milli(new IntOrString(-3))).hasMessageStartingWith("weight: -3");
    }

    @Test
    void reducesToTheSmallestWholeNumbersWithTheSameRatios() {
        assertThat(SplitWeights.reduce(List.of(50_000L, 50_000L))).containsExactly(1, 1);
        assertThat(SplitWeights.reduce(List.of(500L, 1000L))).containsExactly(1, 2);
        assertThat(SplitWeights.reduce(List.of(900L, 100L, 0L))).containsExactly(9, 1, 0);
        assertThat(SplitWeights.reduce(List.of(0L, 0L))).containsExactly(0, 0);
    }

    @Test
    void hugeWeightsAreScaledIntoAnIntKeepingSmallSharesAlive() {
        List<Integer> reduced = SplitWeights.reduce(List.of(Long.MAX_VALUE / 4, 1L));

        assertThat(reduced.get(0)).isEqualTo(1_000_000_000);
        assertThat(reduced.get(1)).isEqualTo(1);
    }
}
