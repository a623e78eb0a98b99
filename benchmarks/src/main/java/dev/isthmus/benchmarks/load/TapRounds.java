package dev.isthmus.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code cross --tap rounds}: what a tap watcher costs west's traffic, measured in one run. Closed-loop rounds
 * through west → east alternate between nobody watching, a {@code reader} and a {@code stalled} watcher, in
 * blocks ordered none-reader-stalled, then stalled-reader-none, and so on, so a drift of the shared machine
 * (other processes, the JIT) weighs on every mode alike. Each watcher's round is compared with the round of
 * nobody watching in its own block: the ratios' range is the figure, not one run's single number.
 */
final class TapRounds {

    static final List<String> MODES = List.of("none", "reader", "stalled");

    private record Round(int block, String mode, LoadPhase.Result result, long dropped) {}

    private TapRounds() {}

    static void run(List<LoadLoop> loops, Duration settle, Duration duration, CpuMeter cpu, int adminPort, int blocks,
            LongSupplier dropped) throws Exception {
        System.out.printf("tap rounds: %d blocks of %s, alternating order, %s s to settle and %s s measured each%n%n", blocks,
                String.join("/", MODES), RpsMode.seconds(settle), RpsMode.seconds(duration));
        System.out.println("block  tap        requests/s       p50       p99   west µs/req  east µs/req  dropped   other processes");
        List<Round> rounds = new ArrayList<>();
        for (int block = 1; block <= blocks; block++) {
            List<String> order = new ArrayList<>(MODES);
            if (block % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (String mode : order) {
                long droppedBefore = dropped.getAsLong();
                LoadPhase.Result result;
                try (TapWatcherLoad watcher = TapWatcherLoad.start(mode, adminPort)) {
                    result = LoadPhase.closed("tap " + mode, loops, settle, duration, cpu);
                }
                Round round = new Round(block, mode, result, dropped.getAsLong() - droppedBefore);
                rounds.add(round);
                System.out.printf("  %-4d %-9s %11s %9s %9s %13s %12s %8d   %s cores%n", block, mode, Format.rate(result.perSecond()),
                        Format.latency(result.latencies().quantile(0.5)), Format.latency(result.latencies().quantile(0.99)),
                        Format.decimal(result.cpuMicros("west"), 1), Format.decimal(result.cpuMicros("east"), 1), round.dropped(),
                        Format.decimal(result.cpu().otherProcessesCores(), 2));
            }
        }
        System.out.println();
        summarize(rounds, blocks);
    }

    private static void summarize(List<Round> rounds, int blocks) {
        System.out.println("per mode: median (min-max) over the blocks   requests/s                 west µs/req");
        for (String mode : MODES) {
            List<LoadPhase.Result> results = rounds.stream().filter(r -> r.mode().equals(mode)).map(Round::result).toList();
            System.out.printf("  %-42s %-26s %s%n", mode, range(results.stream().mapToDouble(LoadPhase.Result::perSecond).toArray(), 0),
                    range(results.stream().mapToDouble(r -> r.cpuMicros("west")).toArray(), 1));
        }
        System.out.println("against nobody watching in the same block: median (min-max)   requests/s          west µs/req");
        for (String mode : MODES.subList(1, MODES.size())) {
            Map<Integer, double[]> ratios = new LinkedHashMap<>();
            for (int block = 1; block <= blocks; block++) {
                LoadPhase.Result none = find(rounds, block, "none");
                LoadPhase.Result watched = find(rounds, block, mode);
                ratios.put(block, new double[] {watched.perSecond() / none.perSecond(),
                    watched.cpuMicros("west") / none.cpuMicros("west")});
            }
            System.out.printf("  %-59s %-19s %s%n", mode,
                    range(ratios.values().stream().mapToDouble(r -> r[0]).toArray(), 2),
                    range(ratios.values().stream().mapToDouble(r -> r[1]).toArray(), 2));
        }
    }

    private static LoadPhase.Result find(List<Round> rounds, int block, String mode) {
        return rounds.stream().filter(r -> r.block() == block && r.mode().equals(mode)).findFirst().orElseThrow().result();
    }

    /** The median and the range: on a shared machine one block can be far off, and the median shrugs it off. */
    private static String range(double[] values, int places) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        double median = n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return Format.decimal(median, places) + " (" + Format.decimal(sorted[0], places) + "-"
                + Format.decimal(sorted[n - 1], places) + ")";
    }
}
