package dev.isthmus.mirror.link;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Link's {@code excludedLabels} or {@code excludedAnnotations}: exact keys, and prefixes written as
 * {@code example.com/*} (everything under {@code example.com/}). Blank and null entries are ignored,
 * since a Link edited by hand may carry them and they can mean nothing else.
 */
public final class LabelFilter {

    public static final LabelFilter NONE = new LabelFilter(Set.of(), List.of());

    private final Set<String> exact;
    private final List<String> prefixes;

    private LabelFilter(Set<String> exact, List<String> prefixes) {
        this.exact = exact;
        this.prefixes = prefixes;
    }

    public static LabelFilter of(List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            return NONE;
        }
        Set<String> exact = new TreeSet<>();
        List<String> prefixes = new ArrayList<>();
        for (String pattern : patterns) {
            if (pattern == null || pattern.isBlank()) {
                continue;
            }
            String trimmed = pattern.trim();
            if (trimmed.endsWith("/*")) {
                prefixes.add(trimmed.substring(0, trimmed.length() - 1));
            } else {
                exact.add(trimmed);
            }
        }
        return new LabelFilter(Set.copyOf(exact), List.copyOf(prefixes));
    }

    /** Whether {@code key} is excluded. */
    public boolean excludes(String key) {
        if (exact.contains(key)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "LabelFilter[exact=" + exact + ", prefixes=" + prefixes + "]";
    }
}
