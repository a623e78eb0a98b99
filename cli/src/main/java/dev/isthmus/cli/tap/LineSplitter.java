package dev.isthmus.cli.tap;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into UTF-8 lines, whatever the chunks it arrives in. A line longer than
 * {@link #MAX_LINE} bytes is not a tap event; it is skipped, so that whatever answers at a gateway's
 * address cannot make the CLI hold an endless line.
 */
final class LineSplitter {

    static final int MAX_LINE = 64 * 1024;

    private final Consumer<String> lines;
    private final Consumer<String> overlong;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean skipping;

    /** @param overlong told (with the line's first bytes) when a line is skipped for its length */
    LineSplitter(Consumer<String> lines, Consumer<String> overlong) {
        this.lines = lines;
        this.overlong = overlong;
    }

    void accept(ByteBuffer chunk) {
        while (chunk.hasRemaining()) {
            byte b = chunk.get();
            // A newline byte is never part of a multi-byte UTF-8 sequence, so cutting on it is safe.
            if (b == '\n') {
                if (!skipping) {
                    lines.accept(line.toString(UTF_8));
                }
                skipping = false;
                line.reset();
            } else if (!skipping) {
                line.write(b);
                if (line.size() > MAX_LINE) {
                    overlong.accept(line.toString(UTF_8).substring(0, 40));
                    skipping = true;
                    line.reset();
                }
            }
        }
    }

    void accept(byte[] bytes, int length) {
        accept(ByteBuffer.wrap(bytes, 0, length));
    }
}
