package dev.isthmus.gateway.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Watchers of the tap: off when none, bounded in number and in what each holds, filtered as they ask. */
class TapTest {

    private final Tap tap = new Tap(2, 4);

    @Test
    void nobodyWatchesUntilSomeoneDoesAndAfterTheLastLeaves() {
        assertThat(tap.watching()).isFalse();
        TapWatcher watcher = tap.watch(TapFilter.ALL);
        assertThat(tap.watching()).isTrue();
        tap.unwatch(watcher);
        tap.unwatch(watcher);
        assertThat(tap.watching()).isFalse();
        assertThat(tap.watchers()).isZero();
    }

    @Test
    void noMoreThanTheMostWatchersAreAdmitted() {
        TapWatcher first = tap.watch(TapFilter.ALL);
        assertThat(tap.watch(TapFilter.ALL)).isNotNull();
        assertThat(tap.watch(TapFilter.ALL)).as("a third watcher").isNull();
        tap.unwatch(first);
        assertThat(tap.watch(TapFilter.ALL)).as("a place came free").isNotNull();
    }

    @Test
    void aFullBufferDropsAndCountsInsteadOfGrowing() {
        TapWatcher watcher = tap.watch(TapFilter.ALL);
        for (int i = 0; i < 10_000; i++) {
            tap.publish(TapFilterTest.WEST_TO_EAST);
        }
        int held = 0;
        while (watcher.poll() != null) {
            held++;
        }
        assertThat(held).isEqualTo(4);
        assertThat(watcher.takeDropped()).isEqualTo(9_996);
        assertThat(watcher.takeDropped()).as("taken once").isZero();
        assertThat(tap.dropped()).isEqualTo(9_996);
    }

    @Test
    void eachWatcherGetsOnlyWhatItsFilterWants() {
        TapWatcher east = tap.watch(TapFilter.parse(Map.of("link", List.of("east"))));
        TapWatcher errors = tap.watch(TapFilter.parse(Map.of("status", List.of("5xx"))));
        tap.publish(TapFilterTest.WEST_TO_EAST);
        assertThat(east.poll()).isSameAs(TapFilterTest.WEST_TO_EAST);
        assertThat(errors.poll()).isNull();
        assertThat(errors.takeDropped()).as("not wanted is not dropped").isZero();
    }
}
