package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.UserException;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --selector} as kubectl writes one ({@code a=b,c!=d,e in (f,g),h,!i}) → the Link's
 * {@code metav1.LabelSelector}.
 */
final class LinkSelector {

    private static final String KEY = "[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?";
    private static final String VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
    private static final Pattern EQUALS = Pattern.compile("(" + KEY + ")\\s*(==|=|!=)\\s*(" + VALUE + ")");
    private static final Pattern SET = Pattern.compile("(" + KEY + ")\\s+(in|notin)\\s+\\(([^)]*)\\)");
    private static final Pattern EXISTS = Pattern.compile("(!?)(" + KEY + ")");

    private LinkSelector() {}

    static LabelSelector parse(String text) {
        Map<String, String> matchLabels = new LinkedHashMap<>();
        List<LabelSelectorRequirement> expressions = new ArrayList<>();
        for (String term : split(text)) {
            Matcher m;
            if ((m = EQUALS.matcher(term)).matches()) {
                if (m.group(3).equals("!=")) {
                    expressions.add(new LabelSelectorRequirement(m.group(1), "NotIn", List.of(m.group(4))));
                } else {
                    matchLabels.put(m.group(1), m.group(4));
                }
            } else if ((m = SET.matcher(term)).matches()) {
                List<String> values = new ArrayList<>();
                for (String value : m.group(4).split(",")) {
                    if (!value.strip().matches(VALUE)) {
                        throw invalid(text, "'" + value.strip() + "' is not a label value");
                    }
                    values.add(value.strip());
                }
                expressions.add(new LabelSelectorRequirement(m.group(1), m.group(3).equals("in") ? "In" : "NotIn", values));
            } else if ((m = EXISTS.matcher(term)).matches()) {
                expressions.add(new LabelSelectorRequirement(m.group(2), m.group(1).isEmpty() ? "Exists" : "DoesNotExist", null));
            } else {
                throw invalid(text, "'" + term + "' is not a requirement");
            }
        }
        if (matchLabels.isEmpty() && expressions.isEmpty()) {
            throw invalid(text, "it is empty, which would mirror nothing");
        }
        return new LabelSelector(expressions.isEmpty() ? null : expressions, matchLabels.isEmpty() ? null : matchLabels);
    }

    /** Splits on commas outside parentheses. */
    private static List<String> split(String text) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(text.substring(start, i).strip());
                start = i + 1;
            }
        }
        terms.add(text.substring(start).strip());
        return terms.stream().filter(t -> !t.isEmpty()).toList();
    }

    private static UserException invalid(String text, String why) {
        return new UserException("--selector '" + text + "': " + why
                + " (expected: a label selector as kubectl takes, e.g. mirror.isthmus.dev/exported=true)");
    }
}
