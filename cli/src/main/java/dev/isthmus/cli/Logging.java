package dev.isthmus.cli;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record on stderr: time, level, logger, message. Long-running components log at
 * INFO; commands a person watches (the demo) only WARNING and above, so their own output stays readable.
 */
final class Logging {

    /**
     * fabric8 warns on every use of a resource version it calls unstable; Link and TrafficSplit are v1alpha1 by
     * design (Linkerd's and SMI's), so the warning only tells the user something they cannot change. Held here
     * because java.util.logging keeps loggers weakly, and a collected logger forgets its level.
     */
    private static final Logger VERSION_USAGE = Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

    private Logging() {}

    static void configure(Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                String name = record.getLoggerName() == null ? "" : record.getLoggerName();
                String shortName = name.substring(name.lastIndexOf('.') + 1);
                String line = LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + record.getLevel().getName() + " "
                        + shortName + ": " + formatMessage(record) + System.lineSeparator();
                return record.getThrown() == null ? line : line + "  " + record.getThrown() + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(level);
        VERSION_USAGE.setLevel(Level.SEVERE);
    }
}
