package dev.isthmus.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a child JVM's unified logging says about pauses and compilation, read back from the files it wrote with
 * {@link #flags}: {@code -Xlog:gc} (one line per collection, its pause at the end), {@code -Xlog:safepoint} (every
 * stop-the-world pause, GC or not: deoptimization, biased-lock revocation, …) and {@code -Xlog:jit+compilation=debug}
 * (one line per method compiled, with its tier, and per method made not entrant), each line stamped with the
 * JVM's uptime in milliseconds. Lines of any other shape are skipped: the files are the JVM's, not ours.
 */
final class VmLog {

    enum Kind {
        /** A collection's stop-the-world pause; {@code nanos} is its length. */
        GC_PAUSE,
        /**
         * A stop-the-world pause for anything but a collection (those are {@link #GC_PAUSE}s): deoptimization, inline
         * cache buffers, thread dumps…; {@code nanos} is the time from the request to the end.
         */
        SAFEPOINT,
        /** A method compiled by C1 (tiers 1-3). */
        COMPILE_C1,
        /** A method compiled by C2 (tier 4). */
        COMPILE_C2,
        /**
         * Compiled code made not entrant: replaced by a higher tier's, or thrown away by a deoptimization (the log does
         * not tell which; many of them with few C2 compilations means deoptimizations).
         */
        NOT_ENTRANT
    }

    /** One event, at {@code uptimeMillis} of the JVM that logged it. */
    record Event(long uptimeMillis, Kind kind, long nanos) {}

    /** Count, longest and total of one kind of event in a window. */
    record Summary(int count, long maxNanos, long totalNanos) {}

    private static final Pattern STAMP = Pattern.compile("^\\[(\\d{1,12})ms\\] ?(.*)$");
    private static final Pattern GC = Pattern.compile("^GC\\(\\d{1,12}\\) Pause .* (\\d{1,9}(?:\\.\\d{1,9})?)ms$");
    private static final Pattern SAFEPOINT = Pattern.compile("^Safepoint \"([^\"]{0,200})\",.* Total: (\\d{1,15}) ns$");
    /** The safepoint operations of collectors (Serial's GenCollect…, Parallel's ParallelGC…, G1's, ZGC's, Shenandoah's). */
    private static final Pattern GC_OPERATION = Pattern.compile("Collect|GC|^G1|^Z|^Shenandoah");
    private static final Pattern COMPILE = Pattern.compile("^\\s*\\d{1,9}\\s+(?:[%sbn!]{1,5}\\s+)?([0-4])\\s+\\S.*$");

    private VmLog() {}

    /** The flags that make a JVM write the three logs this class reads, into {@code dir} with {@code prefix}. */
    static List<String> flags(Path dir, String prefix) {
        return List.of("-Xlog:gc:file=" + dir.resolve(prefix + "-gc.log") + ":uptimemillis",
                "-Xlog:safepoint:file=" + dir.resolve(prefix + "-safepoint.log") + ":uptimemillis",
                "-Xlog:jit+compilation=debug:file=" + dir.resolve(prefix + "-jit.log") + ":uptimemillis");
    }

    /** Every event of the three logs {@link #flags} named; a missing file has none. */
    static List<Event> read(Path dir, String prefix) throws IOException {
        List<Event> events = new ArrayList<>();
        for (String log : List.of("-gc.log", "-safepoint.log", "-jit.log")) {
            Path file = dir.resolve(prefix + log);
            if (Files.exists(file)) {
                // The JVM writes these; a byte that is not UTF-8 (a method name, say) must not end the reading.
                for (String line : new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n")) {
                    parse(line).ifPresent(events::add);
                }
            }
        }
        return events;
    }

    /** The event one line records, or empty if it records none this class knows. */
    static Optional<Event> parse(String line) {
        Matcher stamp = STAMP.matcher(line.stripTrailing());
        if (!stamp.matches()) {
            return Optional.empty();
        }
        try {
            long uptime = Long.parseLong(stamp.group(1));
            String rest = stamp.group(2);
            Matcher m = GC.matcher(rest);
            if (m.matches()) {
                return Optional.of(new Event(uptime, Kind.GC_PAUSE, Math.round(Double.parseDouble(m.group(1)) * 1e6)));
            }
            m = SAFEPOINT.matcher(rest);
            if (m.matches()) {
                // A collection's safepoint is its GC_PAUSE already, from the gc log.
                return GC_OPERATION.matcher(m.group(1)).find() ? Optional.empty()
                        : Optional.of(new Event(uptime, Kind.SAFEPOINT, Long.parseLong(m.group(2))));
            }
            m = COMPILE.matcher(rest);
            if (m.matches()) {
                if (rest.endsWith("made not entrant")) {
                    return Optional.of(new Event(uptime, Kind.NOT_ENTRANT, 0));
                }
                int tier = m.group(1).charAt(0) - '0';
                // Tier 0 is a native method's wrapper (no compiler ran); "made zombie" and the like are the code
                // cache's sweeper freeing code made not entrant earlier: only "(<n> bytes)" ends a compilation.
                return tier == 0 || !rest.endsWith(" bytes)") ? Optional.empty()
                        : Optional.of(new Event(uptime, tier == 4 ? Kind.COMPILE_C2 : Kind.COMPILE_C1, 0));
            }
        } catch (NumberFormatException e) {
            // a number the patterns bound in length but cannot make valid: not a line of ours
        }
        return Optional.empty();
    }

    /** The events of {@code kind} in {@code [fromMillis, toMillis)} of uptime. */
    static Summary summarize(List<Event> events, Kind kind, long fromMillis, long toMillis) {
        int count = 0;
        long max = 0;
        long total = 0;
        for (Event e : events) {
            if (e.kind() == kind && e.uptimeMillis() >= fromMillis && e.uptimeMillis() < toMillis) {
                count++;
                max = Math.max(max, e.nanos());
                total += e.nanos();
            }
        }
        return new Summary(count, max, total);
    }
}
