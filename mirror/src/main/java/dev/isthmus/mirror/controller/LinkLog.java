package dev.isthmus.mirror.controller;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The log of one Link's controller: every line starts {@code link <name>: }, because a mirror replica
 * may run several links and a line that does not say which one is no help. Handed to each part of the
 * controller instead of a static logger, so no call site can forget the link.
 */
final class LinkLog {

    private final Logger logger;
    private final String prefix;

    LinkLog(Class<?> owner, String linkName) {
        this.logger = Logger.getLogger(owner.getName());
        this.prefix = "link " + linkName + ": ";
    }

    /** The same link's log, under another class's logger (so levels can still be set per class). */
    LinkLog forClass(Class<?> owner) {
        return new LinkLog(owner, prefix.substring("link ".length(), prefix.length() - 2));
    }

    void info(String message) {
        log(Level.INFO, message, null);
    }

    void warning(String message) {
        log(Level.WARNING, message, null);
    }

    void fine(String message) {
        log(Level.FINE, message, null);
    }

    void log(Level level, String message, Throwable error) {
        if (logger.isLoggable(level)) {
            logger.log(level, prefix + message, error);
        }
    }
}
