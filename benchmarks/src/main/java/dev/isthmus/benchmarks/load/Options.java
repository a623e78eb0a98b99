package dev.isthmus.benchmarks.load;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of one mode. Every mode declares the options it knows with their
 * defaults, so a typo fails at once instead of silently measuring something else.
 */
final class Options {

    private final Map<String, String> known;
    private final Map<String, String> given = new HashMap<>();

    private Options(Map<String, String> known) {
        this.known = known;
    }

    /** @param defaults option name (without dashes) to its default value, in the order usage lists them */
    static Options parse(String[] args, int from, Map<String, String> defaults) {
        Options options = new Options(new LinkedHashMap<>(defaults));
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("option '" + arg + "' (expected --name value; known: " + options.names() + ")");
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("option --" + name + " has no value");
            }
            if (!defaults.containsKey(name)) {
                throw new UsageException("unknown option --" + name + " (known: " + options.names() + ")");
            }
            options.given.put(name, value);
        }
        return options;
    }

    String string(String name) {
        if (!known.containsKey(name)) {
            throw new IllegalStateException("option --" + name + " is not declared");
        }
        return given.getOrDefault(name, known.get(name));
    }

    int integer(String name) {
        try {
            return Integer.parseInt(string(name));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " " + string(name) + " (expected a whole number)");
        }
    }

    int positive(String name) {
        int value = integer(name);
        if (value < 1) {
            throw new UsageException("--" + name + " " + value + " (expected: at least 1)");
        }
        return value;
    }

    double decimal(String name) {
        try {
            return Double.parseDouble(string(name));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " " + string(name) + " (expected a number)");
        }
    }

    /** Seconds, whole or not: {@code 5}, {@code 0.5}. */
    Duration seconds(String name) {
        double seconds = decimal(name);
        if (seconds <= 0) {
            throw new UsageException("--" + name + " " + seconds + " (expected: a positive number of seconds)");
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    boolean flag(String name) {
        String value = string(name);
        if (!value.equals("true") && !value.equals("false")) {
            throw new UsageException("--" + name + " " + value + " (expected: true or false)");
        }
        return Boolean.parseBoolean(value);
    }

    private Set<String> names() {
        return known.keySet();
    }

    /** A command line the harness cannot run; its message says what was expected. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The options and defaults, one a line, for the usage text. */
    static String describe(Map<String, String> defaults) {
        StringBuilder text = new StringBuilder();
        defaults.forEach((name, value) -> text.append("      --").append(name).append(' ')
                .append(value.isEmpty() ? "\"\"" : value).append('\n'));
        return text.toString();
    }
}
