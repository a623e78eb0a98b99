package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streams that said they cannot write: each hears once that it can, and only when it can. */
class UnwritableStreamsTest {

    private final List<String> heard = new ArrayList<>();
    private final UnwritableStreams unwritable = new UnwritableStreams();

    /** A stream whose writability the test sets; told, it writes down its name. */
    private final class Stream implements UnwritableStreams.Stream {
        final String name;
        boolean writable;
        boolean saysNoAgainWhenTold;

        Stream(String name) {
            this.name = name;
        }

        @Override
        public boolean writableNow() {
            return writable;
        }

        @Override
        public void becameWritable() {
            heard.add(name);
            if (saysNoAgainWhenTold) {
                writable = false;
                unwritable.add(this); // its exchange wrote at once and filled the window again
            }
        }
    }

    @Test
    void onlyTheStreamsThatCanWriteAgainAreToldAndTheOthersKeepWaiting() {
        Stream a = new Stream("a");
        Stream b = new Stream("b");
        unwritable.add(a);
        unwritable.add(b);

        unwritable.recheck();
        assertThat(heard).as("neither can write yet").isEmpty();

        b.writable = true;
        unwritable.recheck();
        assertThat(heard).containsExactly("b");

        a.writable = true;
        unwritable.recheck();
        unwritable.recheck();
        assertThat(heard).as("each told once").containsExactly("b", "a");
    }

    @Test
    void aStreamThatSaysNoTwiceWaitsOnce() {
        Stream a = new Stream("a");
        unwritable.add(a);
        unwritable.add(a);
        a.writable = true;

        unwritable.recheck();

        assertThat(heard).containsExactly("a");
    }

    @Test
    void aStreamThatFillsItsWindowAgainWhenToldWaitsForTheNextChange() {
        Stream a = new Stream("a");
        a.saysNoAgainWhenTold = true;
        unwritable.add(a);
        a.writable = true;

        unwritable.recheck();
        unwritable.recheck();
        assertThat(heard).as("told, then waiting again").containsExactly("a");

        a.writable = true;
        unwritable.recheck();
        assertThat(heard).containsExactly("a", "a");
    }
}
