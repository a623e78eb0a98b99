package dev.isthmus.cli.tap;

import dev.isthmus.cli.UserException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The tap of one or more gateways at once, read as one stream of {@link TapLine}s. Bounded: the queue
 * between the sources' threads and the reader holds at most {@link #QUEUE} lines, and a source whose
 * lines would not fit waits (its gateway drops, not the CLI's memory grows).
 */
public final class TapSession implements AutoCloseable {

    static final int QUEUE = 4096;
    private static final TapLine END = new TapLine("", null, -1);

    private final BlockingQueue<TapLine> lines = new ArrayBlockingQueue<>(QUEUE);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final Consumer<String> problems;
    private volatile boolean closed;

    private TapSession(Consumer<String> problems) {
        this.problems = problems;
    }

    /**
     * Opens every source's tap with {@code query}; one that cannot be opened is reported to {@code problems},
     * none opening is an error.
     */
    public static TapSession open(List<TapSource> sources, String query, Consumer<String> problems) {
        TapSession session = new TapSession(problems);
        List<String> failures = new ArrayList<>();
        for (TapSource source : sources) {
            LineSplitter splitter = new LineSplitter(line -> session.offer(source.name(), line),
                    start -> problems.accept(source.name() + ": skipped a line of more than " + LineSplitter.MAX_LINE
                            + " bytes starting " + start + " (expected: tap events)"));
            session.running.incrementAndGet();
            try {
                session.open.add(source.open(query, splitter, session::sourceEnded));
            } catch (UserException e) {
                session.running.decrementAndGet();
                failures.add(e.getMessage());
                problems.accept(e.getMessage());
            }
        }
        if (session.open.isEmpty()) {
            throw new UserException(failures.size() == 1 ? failures.get(0)
                    : "no gateway's tap could be opened (" + String.join("; ", failures) + ")");
        }
        return session;
    }

    private void offer(String gateway, String line) {
        if (line.isBlank()) {
            return;
        }
        TapLine parsed;
        try {
            parsed = TapLine.parse(gateway, line);
        } catch (IllegalArgumentException e) {
            problems.accept(e.getMessage());
            return;
        }
        try {
            while (!closed && !lines.offer(parsed, 100, TimeUnit.MILLISECONDS)) {
                // the reader is behind; the gateway's own buffer drops meanwhile
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sourceEnded() {
        if (running.decrementAndGet() == 0) {
            lines.offer(END);
        }
    }

    /** The next line, or {@code null} when none came within {@code wait} or every source has ended. */
    public TapLine next(Duration wait) throws InterruptedException {
        TapLine line = lines.poll(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
        if (line == END) {
            lines.offer(END); // later calls see the end too
            return null;
        }
        return line;
    }

    /** Whether every source's stream has ended (and what they sent was read). */
    public boolean ended() {
        return running.get() == 0 && (lines.isEmpty() || lines.peek() == END);
    }

    @Override
    public void close() {
        closed = true; // a source thread waiting on a full queue gives up its line and sees its stream closed
        for (AutoCloseable source : open) {
            try {
                source.close();
            } catch (Exception e) {
                problems.accept("while closing a tap: " + e);
            }
        }
        lines.clear();
    }
}
