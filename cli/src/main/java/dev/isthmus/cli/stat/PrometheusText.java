package dev.isthmus.cli.stat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads Prometheus's text exposition format (version 0.0.4, what Micrometer's Prometheus registry and the
 * gateway's {@code /metrics} write): {@code # HELP}/{@code # TYPE} and other comments, blank lines, and
 * samples {@code name{label="value",…} value [timestamp]}, with {@code \\}, {@code \"} and {@code \n}
 * escaped in label values and {@code NaN}, {@code +Inf}, {@code -Inf} as values. An OpenMetrics
 * {@code # EOF} and exemplars after the value are accepted and ignored.
 *
 * <p>Strict as Prometheus is: a line that is none of these fails the whole scrape, with the line's number,
 * the offending text and the expected form, because a half-read scrape would show wrong numbers.
 */
public final class PrometheusText {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped",
            "gaugehistogram", "info", "stateset", "unknown");
    private static final int SHOWN = 80;

    private final String source;
    private final String text;
    private int lineNumber;
    private String line;
    private int pos;

    private PrometheusText(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /**
     * @param source where the text came from, named in errors: an URL or a pod
     * @throws MetricsFormatException naming the line and what was expected there
     */
    public static List<Sample> parse(String text, String source) {
        return new PrometheusText(text, source).samples();
    }

    private List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            lineNumber = i + 1;
            line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            pos = 0;
            skipBlanks();
            if (pos == line.length()) {
                continue;
            }
            if (line.charAt(pos) == '#') {
                comment();
                continue;
            }
            Sample sample = sample();
            Integer first = seen.putIfAbsent(sample.series(), lineNumber);
            if (first != null) {
                throw error("the series " + sample.series() + " appears again (first on line " + first
                        + "; expected each series once per scrape)");
            }
            samples.add(sample);
        }
        return List.copyOf(samples);
    }

    private void comment() {
        pos++;
        skipBlanks();
        int start = pos;
        while (pos < line.length() && !isBlank(line.charAt(pos))) {
            pos++;
        }
        String keyword = line.substring(start, pos);
        if (!keyword.equals("TYPE") && !keyword.equals("HELP")) {
            return; // any other comment, # EOF included
        }
        skipBlanks();
        if (pos == line.length() || !isNameStart(line.charAt(pos), true)) {
            throw error("'# " + keyword + "' without a metric name (expected: # " + keyword + " <metric name> "
                    + (keyword.equals("TYPE") ? "<type>" : "<text>") + ")");
        }
        metricName();
        if (keyword.equals("TYPE")) {
            skipBlanks();
            String type = line.substring(pos).strip();
            if (!TYPES.contains(type)) {
                throw error("'" + type + "' is not a metric type (expected one of counter, gauge, histogram, summary, untyped)");
            }
        }
    }

    private Sample sample() {
        if (!isNameStart(line.charAt(pos), true)) {
            throw error("not a sample, comment or blank line (expected: <metric name>{<label>=\"<value>\",…} <value>)");
        }
        String name = metricName();
        skipBlanks();
        TreeMap<String, String> labels = new TreeMap<>();
        if (pos < line.length() && line.charAt(pos) == '{') {
            labels(labels);
            skipBlanks();
        }
        if (pos == line.length()) {
            throw error("no value after " + name + labels + " (expected: a number, NaN, +Inf or -Inf)");
        }
        double value = value(token());
        skipBlanks();
        if (pos < line.length() && line.charAt(pos) != '#') {
            String timestamp = token();
            if (!TIMESTAMP.matcher(timestamp).matches()) {
                throw error("'" + timestamp + "' after the value is not a timestamp (expected: milliseconds since the epoch, or nothing)");
            }
            skipBlanks();
        }
        if (pos < line.length() && line.charAt(pos) != '#') {
            throw error("unexpected '" + shown(line.substring(pos)) + "' after the sample (expected: the end of the line)");
        }
        return new Sample(name, labels, value, lineNumber);
    }

    private void labels(Map<String, String> labels) {
        pos++; // '{'
        while (true) {
            skipBlanks();
            if (pos == line.length()) {
                throw error("the label set is not closed (expected: '}')");
            }
            if (line.charAt(pos) == '}') {
                pos++;
                return;
            }
            if (!isNameStart(line.charAt(pos), false)) {
                throw error("'" + shown(line.substring(pos)) + "' is not a label name (expected: [a-zA-Z_][a-zA-Z0-9_]*)");
            }
            int start = pos;
            while (pos < line.length() && isNamePart(line.charAt(pos), false)) {
                pos++;
            }
            String label = line.substring(start, pos);
            skipBlanks();
            if (pos == line.length() || line.charAt(pos) != '=') {
                throw error("label " + label + " has no value (expected: " + label + "=\"<value>\")");
            }
            pos++;
            skipBlanks();
            if (pos == line.length() || line.charAt(pos) != '"') {
                throw error("the value of label " + label + " is not quoted (expected: " + label + "=\"<value>\")");
            }
            String value = quoted(label);
            if (labels.put(label, value) != null) {
                throw error("label " + label + " appears twice (expected each label once per sample)");
            }
            skipBlanks();
            if (pos < line.length() && line.charAt(pos) == ',') {
                pos++;
            } else if (pos < line.length() && line.charAt(pos) != '}') {
                throw error("'" + shown(line.substring(pos)) + "' after label " + label + " (expected: ',' or '}')");
            }
        }
    }

    private String quoted(String label) {
        pos++; // opening quote
        StringBuilder value = new StringBuilder();
        while (pos < line.length()) {
            char c = line.charAt(pos++);
            if (c == '"') {
                return value.toString();
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (pos == line.length()) {
                break;
            }
            char escaped = line.charAt(pos++);
            switch (escaped) {
                case '\\' -> value.append('\\');
                case '"' -> value.append('"');
                case 'n' -> value.append('\n');
                default -> throw error("'\\" + escaped + "' in the value of label " + label
                        + " is not an escape (expected: \\\\, \\\" or \\n)");
            }
        }
        throw error("the value of label " + label + " has no closing quote (expected: " + label + "=\"<value>\")");
    }

    private double value(String token) {
        switch (token.toLowerCase(java.util.Locale.ROOT)) {
            case "nan":
                return Double.NaN;
            case "+inf", "inf", "+infinity", "infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (!NUMBER.matcher(token).matches()) {
            throw error("'" + shown(token) + "' is not a sample value (expected: a number, NaN, +Inf or -Inf)");
        }
        return Double.parseDouble(token);
    }

    private String metricName() {
        int start = pos;
        while (pos < line.length() && isNamePart(line.charAt(pos), true)) {
            pos++;
        }
        return line.substring(start, pos);
    }

    private String token() {
        int start = pos;
        while (pos < line.length() && !isBlank(line.charAt(pos))) {
            pos++;
        }
        return line.substring(start, pos);
    }

    private void skipBlanks() {
        while (pos < line.length() && isBlank(line.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isNameStart(char c, boolean colon) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    }

    private static boolean isNamePart(char c, boolean colon) {
        return isNameStart(c, colon) || (c >= '0' && c <= '9');
    }

    private static String shown(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "…";
    }

    private MetricsFormatException error(String what) {
        return new MetricsFormatException(source + " line " + lineNumber + ": " + what + ": " + shown(line));
    }
}
