package dev.isthmus.cli.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code histogram_quantile}'s answers, worked out by hand from its definition. */
class HistogramsTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void interpolatesInsideTheBucketTheRankFallsIn() {
        TreeMap<Double, Double> buckets = buckets(Map.of(0.1, 50.0, 0.2, 90.0, 0.4, 100.0, INF, 100.0));

        assertThat(Histograms.quantile(0.5, buckets)).isCloseTo(0.1, within(1e-9)); // rank 50 = all of the first bucket
        assertThat(Histograms.quantile(0.25, buckets)).isCloseTo(0.05, within(1e-9));
        assertThat(Histograms.quantile(0.7, buckets)).isCloseTo(0.15, within(1e-9)); // 20 of 40 into (0.1, 0.2]
        assertThat(Histograms.quantile(0.95, buckets)).isCloseTo(0.3, within(1e-9)); // 5 of 10 into (0.2, 0.4]
    }

    @Test
    void aQuantileInTheInfBucketIsTheHighestFiniteBound() {
        assertThat(Histograms.quantile(0.99, buckets(Map.of(0.1, 10.0, 0.2, 50.0, INF, 100.0)))).isEqualTo(0.2);
    }

    @Test
    void unknownWithoutTheInfBucketOrObservations() {
        assertThat(Histograms.quantile(0.5, buckets(Map.of(0.1, 10.0, 0.2, 20.0)))).isNaN();
        assertThat(Histograms.quantile(0.5, buckets(Map.of(INF, 10.0)))).isNaN();
        assertThat(Histograms.quantile(0.5, buckets(Map.of(0.1, 0.0, INF, 0.0)))).isNaN();
        assertThat(Histograms.quantile(0.5, new TreeMap<>())).isNaN();
    }

    @Test
    void missingMiddleBucketsWidenTheInterpolation() {
        // as if the 0.2 bucket were lost: the rank now falls in (0.1, 0.4]
        assertThat(Histograms.quantile(0.7, buckets(Map.of(0.1, 50.0, 0.4, 100.0, INF, 100.0))))
                .isCloseTo(0.1 + 0.3 * (20.0 / 50.0), within(1e-9));
    }

    @Test
    void nonMonotonicCountsAreRaisedToThePreviousOne() {
        // 0.2's count below 0.1's, as a scrape taken mid-update can show
        assertThat(Histograms.quantile(0.5, buckets(Map.of(0.1, 60.0, 0.2, 40.0, INF, 100.0))))
                .isCloseTo(0.1 * 50.0 / 60.0, within(1e-9));
    }

    @Test
    void quantilesOutsideZeroToOne() {
        TreeMap<Double, Double> buckets = buckets(Map.of(0.1, 1.0, INF, 1.0));
        assertThat(Histograms.quantile(-0.1, buckets)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Histograms.quantile(1.1, buckets)).isEqualTo(INF);
        assertThat(Histograms.quantile(Double.NaN, buckets)).isNaN();
    }

    private static TreeMap<Double, Double> buckets(Map<Double, Double> counts) {
        return new TreeMap<>(counts);
    }
}
