package dev.isthmus.testkit.fuzz;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A seeded mutation fuzzer for one parser: valid seeds, mutated over and over ({@link Mutator}); an input
 * whose outcome has not been seen before joins the corpus, so variants of it are tried too. Any exception
 * other than the documented ones fails the run, naming the seed, the iteration and the input in hex.
 *
 * <p>Budget: {@code iterations} per target by default, so a CI run is deterministic and takes seconds.
 * A long run by hand: {@code -Dfuzz.seconds=600} (time instead of count), {@code -Dfuzz.seed=<n>} for another
 * sequence (default 1), {@code -Dfuzz.scale=<k>} multiplies every target's count.
 *
 * <pre>
 * Fuzz.target("transport header")
 *     .seeds(valid inputs).dictionary("transport.l5d.io/v1\r\n\r\n")
 *     .documented(TransportHeaderException.class)
 *     .iterations(20_000)
 *     .run(input -> outcome(input));
 * </pre>
 */
public final class Fuzz {

    private static final Logger log = Logger.getLogger(Fuzz.class.getName());
    private static final int MAX_CORPUS = 512;
    /** Memory the heap may keep after a run, over what it held before: more means the parser hoards. */
    private static final long MAX_RETAINED = 64L * 1024 * 1024;

    /** Runs one input; returns a short word for its outcome ("ok", "closed", "400"), which steers the corpus. */
    @FunctionalInterface
    public interface Target {
        String run(byte[] input) throws Exception;
    }

    private final String name;
    private final List<byte[]> seeds = new ArrayList<>();
    private final List<String> dictionary = new ArrayList<>();
    private final List<Class<? extends Throwable>> documented = new ArrayList<>();
    private int iterations = 10_000;
    private int maxLength = 64 * 1024;

    private Fuzz(String name) {
        this.name = requireNonNull(name, "name");
    }

    public static Fuzz target(String name) {
        return new Fuzz(name);
    }

    public Fuzz seeds(List<byte[]> inputs) {
        seeds.addAll(inputs);
        return this;
    }

    public Fuzz seed(byte[] input) {
        seeds.add(input.clone());
        return this;
    }

    /** Tokens of the format (keywords, delimiters) that mutations insert. */
    public Fuzz dictionary(String... tokens) {
        dictionary.addAll(List.of(tokens));
        return this;
    }

    /** Exception types the parser documents for bad input; anything else is a finding. */
    @SafeVarargs
    public final Fuzz documented(Class<? extends Throwable>... types) {
        documented.addAll(List.of(types));
        return this;
    }

    public Fuzz iterations(int count) {
        iterations = count;
        return this;
    }

    public Fuzz maxLength(int bytes) {
        maxLength = bytes;
        return this;
    }

    /**
     * Runs the budget.
     *
     * @return how many inputs ran
     * @throws AssertionError for the first input that raised an undocumented exception
     */
    public long run(Target target) throws Exception {
        if (seeds.isEmpty()) {
            throw new IllegalStateException(name + ": no seeds (expected at least one valid input)");
        }
        long seed = Long.getLong("fuzz.seed", 1);
        Duration time = Long.getLong("fuzz.seconds") == null ? null : Duration.ofSeconds(Long.getLong("fuzz.seconds"));
        long budget = (long) iterations * Long.getLong("fuzz.scale", 1);
        Random random = new Random(seed ^ name.hashCode());
        Mutator mutator = new Mutator(random, dictionary, maxLength);
        List<byte[]> corpus = new ArrayList<>(seeds);
        Set<String> outcomes = new HashSet<>();
        long retainedBefore = retained();
        long until = time == null ? Long.MAX_VALUE : System.nanoTime() + time.toNanos();
        long count = 0;
        for (byte[] input : seeds) {
            outcomes.add(attempt(target, input, seed, count++));
        }
        while (time == null ? count < budget : System.nanoTime() < until) {
            byte[] input = mutator.mutate(corpus.get(random.nextInt(corpus.size())), corpus.get(random.nextInt(corpus.size())));
            String outcome = attempt(target, input, seed, count++);
            if (outcomes.add(outcome) && corpus.size() < MAX_CORPUS) {
                corpus.add(input);
            }
        }
        long growth = retained() - retainedBefore;
        log.info(String.format("fuzz %s: %d inputs, %d distinct outcomes, corpus %d, seed %d, heap retained %+d KiB",
                name, count, outcomes.size(), corpus.size(), seed, growth / 1024));
        if (growth > MAX_RETAINED) {
            throw new AssertionError(name + ": the heap kept " + growth / (1024 * 1024) + " MiB more after the run (expected: under "
                    + MAX_RETAINED / (1024 * 1024) + " MiB)");
        }
        return count;
    }

    private String attempt(Target target, byte[] input, long seed, long iteration) {
        try {
            return target.run(input);
        } catch (Throwable t) {
            for (Class<? extends Throwable> type : documented) {
                if (type.isInstance(t)) {
                    return t.getClass().getSimpleName() + ":" + words(t.getMessage());
                }
            }
            AssertionError finding = new AssertionError(name + ": undocumented " + t + " at seed " + seed + ", iteration "
                    + iteration + ", input (" + input.length + " bytes) " + hex(input));
            finding.initCause(t);
            throw finding;
        }
    }

    /** The first words of a message, so "length 12 over 10" and "length 13 over 10" count as one outcome. */
    private static String words(String message) {
        if (message == null) {
            return "";
        }
        String[] words = message.split("[^A-Za-z_]+");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(4, words.length); i++) {
            out.append(words[i]).append(' ');
        }
        return out.toString();
    }

    private static String hex(byte[] input) {
        String all = HexFormat.of().formatHex(input, 0, Math.min(input.length, 4096));
        return input.length > 4096 ? all + "…" : all;
    }

    private static long retained() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
