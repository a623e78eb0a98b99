package dev.isthmus.cli.tap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private final List<String> lines = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add, skipped::add);

    @Test
    void linesCutAnywhereEvenInsideACharacterComeOutWhole() {
        byte[] bytes = "{\"path\":\"/ü€\"}\nsecond\n".getBytes(UTF_8);
        for (byte b : bytes) {
            splitter.accept(ByteBuffer.wrap(new byte[] {b}));
        }
        assertThat(lines).containsExactly("{\"path\":\"/ü€\"}", "second");
    }

    @Test
    void anEndlessLineIsSkippedNotHeld() {
        byte[] chunk = "x".repeat(16 * 1024).getBytes(UTF_8);
        for (int i = 0; i < 100; i++) {
            splitter.accept(chunk, chunk.length);
        }
        splitter.accept("\nnext\n".getBytes(UTF_8), 6);
        assertThat(skipped).hasSize(1);
        assertThat(lines).containsExactly("next");
    }

    @Test
    void aLineWithoutItsNewlineIsNotGivenOut() {
        splitter.accept("half".getBytes(UTF_8), 4);
        assertThat(lines).isEmpty();
    }
}
