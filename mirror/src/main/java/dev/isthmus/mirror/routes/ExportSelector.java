package dev.isthmus.mirror.routes;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which local Services peers may reach: a label selector in {@code kubectl -l} form, equality-based
 * ({@code a=b}, {@code a==b}, {@code a!=b}) or existence ({@code a}, {@code !a}), requirements joined by
 * commas, all of which must hold. Matched here rather than by the API server, because the route source
 * watches every Service anyway (split backends need not be exported).
 */
public final class ExportSelector {

    private static final String KEY = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?";
    private static final String VALUE = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
    private static final Pattern REQUIREMENT = Pattern.compile("\\s*(!?)\\s*(" + KEY + ")\\s*(?:(==|=|!=)\\s*(" + VALUE + "))?\\s*");

    private record Requirement(String key, String operator, String value) {
        boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            return switch (operator) {
                case "exists" -> actual != null;
                case "!exists" -> actual == null;
                case "=" -> value.equals(actual);
                default -> !value.equals(actual);
            };
        }
    }

    private final String text;
    private final List<Requirement> requirements;

    private ExportSelector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = requirements;
    }

    /**
     * @throws IllegalArgumentException saying which requirement cannot be read and what form was expected
     */
    public static ExportSelector parse(String text) {
        requireNonNull(text, "text");
        String expected = " (expected: key=value, key!=value, key or !key, joined by commas, e.g. mirror.isthmus.dev/exported=true)";
        if (text.isBlank()) {
            throw new IllegalArgumentException("exportSelector: empty" + expected);
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Matcher matcher = REQUIREMENT.matcher(part);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("exportSelector: '" + text + "': cannot read '" + part.trim() + "'" + expected);
            }
            boolean negated = !matcher.group(1).isEmpty();
            String operator = matcher.group(3);
            if (negated && operator != null) {
                throw new IllegalArgumentException("exportSelector: '" + text + "': '" + part.trim()
                        + "' negates a comparison" + expected);
            }
            if (operator == null) {
                requirements.add(new Requirement(matcher.group(2), negated ? "!exists" : "exists", null));
            } else {
                requirements.add(new Requirement(matcher.group(2), operator.equals("!=") ? "!=" : "=", matcher.group(4)));
            }
        }
        return new ExportSelector(text, List.copyOf(requirements));
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> present = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(requirement -> requirement.matches(present));
    }

    @Override
    public String toString() {
        return text;
    }
}
