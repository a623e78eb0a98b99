package dev.isthmus.cli.stat;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One line of a scrape: {@code name{labels} value}.
 *
 * @param labels sorted by name, so two samples of one series compare equal however their lines ordered them
 * @param line where it was, for messages about it
 */
public record Sample(String name, SortedMap<String, String> labels, double value, int line) {

    public Sample {
        requireNonNull(name, "name");
        labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(labels, "labels")));
    }

    public static Sample of(String name, Map<String, String> labels, double value) {
        return new Sample(name, new TreeMap<>(labels), value, 0);
    }

    /** The label's value, or {@code ""} when absent, as PromQL treats a missing label. */
    public String label(String label) {
        return labels.getOrDefault(label, "");
    }

    /** The series this sample belongs to: its name and labels, without the value. */
    public String series() {
        return name + labels;
    }
}
