package dev.isthmus.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Example payloads that one module writes and another reads ({@code dev/isthmus/testkit/golden/}).
 * Both sides' tests read the same file, so a change to the writer that the reader does not follow
 * fails a test on each side instead of in a cluster.
 */
public final class Golden {

    private Golden() {}

    /** The file's text, exactly as stored (UTF-8, trailing newline included). */
    public static String text(String name) {
        String path = "golden/" + name;
        try (InputStream in = Golden.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("golden file: " + name + " (expected: a file in dev/isthmus/testkit/golden/)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
