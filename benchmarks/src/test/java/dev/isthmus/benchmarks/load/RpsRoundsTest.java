package dev.isthmus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rps --rounds}: the ratio it reports is the median round's, and the tables describe that round. */
class RpsRoundsTest {

    @Test
    void theMedianRoundIsTheOneWithTheMiddleRatioWhateverItsPlace() {
        RpsMode.Round first = round(1, 45_000, 100_000);
        RpsMode.Round second = round(2, 63_000, 100_000);
        RpsMode.Round third = round(3, 30_000, 50_000);

        assertThat(RpsMode.printRounds(List.of(first, second, third))).isSameAs(third); // 45 %, 63 %, 60 %
        assertThat(RpsMode.printRounds(List.of(second, first))).isSameAs(first); // of two, the lower
        assertThat(RpsMode.printRounds(List.of(second))).isSameAs(second);
    }

    @Test
    void roundsMustBeAPositiveCount() {
        for (String bad : new String[] {"0", "-2", "two", "1.5"}) {
            assertThatThrownBy(() -> Options.parse(new String[] {"rps", "--rounds", bad}, 1, RpsMode.OPTIONS).positive("rounds"))
                    .as(bad).hasMessageContaining("--rounds");
        }
        assertThat(Options.parse(new String[] {"rps"}, 1, RpsMode.OPTIONS).positive("rounds")).isEqualTo(1);
    }

    private static RpsMode.Round round(int number, long throughCompleted, long directCompleted) {
        return new RpsMode.Round(number, result("through the gateway", throughCompleted), result("direct to the backend",
                directCompleted));
    }

    /** One second's window with {@code completed} requests and a microsecond of gateway CPU for each. */
    private static LoadPhase.Result result(String target, long completed) {
        CpuMeter.Usage usage = new CpuMeter.Usage(Map.of("gateway", completed * 1000), Map.of(), Map.of(), Map.of(),
                completed * 1000, -1, 1_000_000_000L, 0);
        return new LoadPhase.Result(target, completed, 0, 1.0, new LatencySamples(), usage, 0, 0, 1);
    }
}
