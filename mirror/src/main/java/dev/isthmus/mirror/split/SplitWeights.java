package dev.isthmus.mirror.split;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * SMI weights are Kubernetes quantities: {@code 50}, {@code "500m"}, {@code "1.5"}. Only their ratios
 * matter, so they become the smallest whole numbers with the same ratios (50/50 becomes 1/1, "500m"/1
 * becomes 1/2), small enough for the gateway's int weights.
 */
public final class SplitWeights {

    private static final BigDecimal MILLI = BigDecimal.valueOf(1000);
    private static final long MAX_WEIGHT = 1_000_000_000L;

    private SplitWeights() {}

    /**
     * The weight in thousandths.
     *
     * @throws IllegalArgumentException for a missing, negative, or unreadable weight, or one finer than 1m
     */
    public static long milli(IntOrString weight) {
        String expected = " (expected: a whole number or a quantity such as 500m, at least 0)";
        if (weight == null || (weight.getIntVal() == null && weight.getStrVal() == null)) {
            throw new IllegalArgumentException("weight: missing" + expected);
        }
        BigDecimal value;
        if (weight.getIntVal() != null) {
            value = BigDecimal.valueOf(weight.getIntVal());
        } else {
            String text = weight.getStrVal().trim();
            try {
                value = Quantity.getAmountInBytes(new Quantity(text));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("weight: '" + weight.getStrVal() + "'" + expected);
            }
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException("weight: " + value.toPlainString() + expected);
        }
        BigDecimal milli = value.multiply(MILLI);
        if (milli.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("weight: " + value.toPlainString() + " is finer than 1m" + expected);
        }
        return milli.min(BigDecimal.valueOf(Long.MAX_VALUE / 2)).longValueExact();
    }

    /** The same ratios in the smallest whole numbers, each at most a billion; a zero stays zero. */
    public static List<Integer> reduce(List<Long> milli) {
        BigInteger gcd = BigInteger.ZERO;
        long max = 0;
        for (long weight : milli) {
            gcd = gcd.gcd(BigInteger.valueOf(weight));
            max = Math.max(max, weight);
        }
        List<Integer> reduced = new ArrayList<>(milli.size());
        if (gcd.signum() == 0) {
            milli.forEach(weight -> reduced.add(0));
            return reduced;
        }
        long divisor = gcd.longValue();
        BigDecimal scale = max / divisor > MAX_WEIGHT
                ? BigDecimal.valueOf(MAX_WEIGHT).divide(BigDecimal.valueOf(max / divisor), 18, RoundingMode.HALF_EVEN)
                : BigDecimal.ONE;
        for (long weight : milli) {
            long whole = BigDecimal.valueOf(weight / divisor).multiply(scale).setScale(0, RoundingMode.HALF_EVEN).longValue();
            // A tiny but non-zero share stays non-zero: the user asked for some traffic there.
            reduced.add((int) (weight > 0 ? Math.max(1, whole) : 0));
        }
        return reduced;
    }
}
