package dev.isthmus.cli.stat;

/** A {@code /metrics} body that is not Prometheus's text format; the message names the line and what was expected. */
public final class MetricsFormatException extends IllegalArgumentException {
    public MetricsFormatException(String message) {
        super(message);
    }
}
