package dev.isthmus.cli;

import dev.isthmus.gateway.yaml.YamlNode;
import java.time.Duration;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line, written as in the configuration files and as {@code step}, kubectl
 * and Linkerd write them: {@code 87600h}, {@code 24h}, {@code 1h30m}, {@code 90s}, {@code 500ms}.
 */
final class GoDuration {

    private GoDuration() {}

    /** For picocli: its message alone is shown, after the option's name. */
    static Duration convert(String text) {
        try {
            return YamlNode.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
