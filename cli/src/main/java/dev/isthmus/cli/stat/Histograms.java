package dev.isthmus.cli.stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/** Quantiles from cumulative histogram buckets, computed exactly as Prometheus's {@code histogram_quantile} does. */
public final class Histograms {

    private Histograms() {}

    /**
     * The {@code q}-quantile of the observations counted by {@code buckets} (upper bound → cumulative count),
     * interpolated linearly inside the bucket it falls in. {@code NaN} when it cannot be known: no {@code +Inf}
     * bucket, fewer than two buckets, or no observations; a quantile in the {@code +Inf} bucket is the
     * highest finite bound. Counts that go down from one bucket to the next (a scrape taken mid-update, or a
     * restart seen in some buckets only) are raised to the previous count, as Prometheus does.
     */
    public static double quantile(double q, NavigableMap<Double, Double> buckets) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (buckets.isEmpty() || buckets.lastKey() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        List<double[]> bounds = new ArrayList<>();
        double max = 0;
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            if (Double.isNaN(bucket.getKey())) {
                continue;
            }
            double count = Double.isNaN(bucket.getValue()) ? max : Math.max(max, bucket.getValue());
            max = count;
            bounds.add(new double[] {bucket.getKey(), count});
        }
        if (bounds.size() < 2) {
            return Double.NaN;
        }
        double observations = bounds.get(bounds.size() - 1)[1];
        if (observations == 0) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = 0;
        while (b < bounds.size() - 1 && bounds.get(b)[1] < rank) {
            b++;
        }
        if (b == bounds.size() - 1) {
            return bounds.get(bounds.size() - 2)[0];
        }
        if (b == 0 && bounds.get(0)[0] <= 0) {
            return bounds.get(0)[0];
        }
        double start = 0;
        double end = bounds.get(b)[0];
        double count = bounds.get(b)[1];
        if (b > 0) {
            start = bounds.get(b - 1)[0];
            count -= bounds.get(b - 1)[1];
            rank -= bounds.get(b - 1)[1];
        }
        return start + (end - start) * (rank / count);
    }
}
