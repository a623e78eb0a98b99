package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request deadlines of one event loop, on an embedded loop whose clock the test moves. */
class RequestDeadlinesTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final RequestDeadlines deadlines;
    private final List<String> expired = new ArrayList<>();

    RequestDeadlinesTest() {
        channel.freezeTime();
        deadlines = new RequestDeadlines(channel.eventLoop());
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** An entry that records its expiry and then does {@code then}, as an exchange's 504 may start the client's next request. */
    private final class Named extends RequestDeadlines.Entry {
        private final String name;
        private Consumer<Named> then = e -> {};

        Named(String name) {
            this.name = name;
        }

        @Override
        void expired() {
            expired.add(name);
            then.accept(this);
        }
    }

    private void advanceMillis(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void anEntryExpiresOnceAtItsDeadlineAndNotBefore() {
        Named a = new Named("a");
        deadlines.arm(a, SECOND);

        advanceMillis(999);
        assertThat(expired).isEmpty();
        advanceMillis(1);
        assertThat(expired).containsExactly("a");
        assertThat(a.armed()).isFalse();
        advanceMillis(5_000);
        assertThat(expired).containsExactly("a");
    }

    @Test
    void progressCountsTheDeadlineAgainFromNow() {
        Named a = new Named("a");
        Named b = new Named("b");
        deadlines.arm(a, SECOND);
        deadlines.arm(b, SECOND);

        advanceMillis(600);
        deadlines.arm(a, SECOND); // a made progress: it is now due after b
        advanceMillis(400);
        assertThat(expired).containsExactly("b");
        advanceMillis(599);
        assertThat(expired).containsExactly("b");
        advanceMillis(1);
        assertThat(expired).containsExactly("b", "a");
    }

    @Test
    void disarmingTwiceOrAfterTheExpiryChangesNothing() {
        Named a = new Named("a");
        Named b = new Named("b");
        deadlines.arm(a, SECOND);
        deadlines.arm(b, SECOND);

        a.disarm();
        a.disarm();
        advanceMillis(1_000);
        b.disarm(); // finished after its timeout already failed it
        b.disarm();

        assertThat(expired).containsExactly("b");
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void entriesDueInOneSweepExpireInDeadlineOrderAndTheRestWait() {
        List<Named> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Named e = new Named("e" + i);
            entries.add(e);
            deadlines.arm(e, SECOND);
            advanceMillis(100);
        }

        advanceMillis(650); // 1,150 ms after the first: e0 and e1 are due
        assertThat(expired).containsExactly("e0", "e1");
        assertThat(deadlines.size()).isEqualTo(3);
        advanceMillis(1_000);
        assertThat(expired).containsExactly("e0", "e1", "e2", "e3", "e4");
    }

    @Test
    void anExpiryThatRearmsAnotherDueEntryLeavesItForItsNewDeadline() {
        Named a = new Named("a");
        Named b = new Named("b");
        a.then = e -> deadlines.arm(b, SECOND); // progress of b during the sweep
        deadlines.arm(a, SECOND);
        deadlines.arm(b, SECOND);

        advanceMillis(1_000);
        assertThat(expired).containsExactly("a");
        assertThat(b.armed()).isTrue();
        advanceMillis(1_000);
        assertThat(expired).containsExactly("a", "b");
    }

    @Test
    void anExpiryThatFinishesAnotherDueEntryMeansItNeverExpires() {
        Named a = new Named("a");
        Named b = new Named("b");
        Named c = new Named("c");
        a.then = e -> b.disarm();
        deadlines.arm(a, SECOND);
        deadlines.arm(b, SECOND);
        deadlines.arm(c, SECOND);

        advanceMillis(1_000);
        assertThat(expired).containsExactly("a", "c");
        advanceMillis(10_000);
        assertThat(expired).containsExactly("a", "c");
    }

    @Test
    void anEntryArmedByAnExpiryWaitsItsWholeTimeoutAndTheSweepEnds() {
        Named a = new Named("a");
        Named next = new Named("next");
        a.then = e -> deadlines.arm(next, SECOND); // the client's next request starts at once
        next.then = e -> deadlines.arm(e, SECOND); // and an entry that re-arms itself on every expiry

        deadlines.arm(a, SECOND);
        advanceMillis(1_000);
        assertThat(expired).containsExactly("a");
        advanceMillis(1_000);
        advanceMillis(1_000);
        assertThat(expired).containsExactly("a", "next", "next");
    }

    @Test
    void anExpiryMayReArmItself() {
        Named a = new Named("a");
        a.then = e -> deadlines.arm(e, SECOND);
        deadlines.arm(a, SECOND);

        advanceMillis(1_000);
        assertThat(a.armed()).isTrue();
        assertThat(expired).containsExactly("a");
    }

    @Test
    void aShorterTimeoutArmedLaterExpiresFirst() {
        Named slow = new Named("slow");
        Named fast = new Named("fast");
        deadlines.arm(slow, 10 * SECOND);
        deadlines.arm(fast, SECOND);

        advanceMillis(1_000);
        assertThat(expired).containsExactly("fast");
        advanceMillis(9_000);
        assertThat(expired).containsExactly("fast", "slow");
    }

    @Test
    void entriesArmedAfterTheListEmptiedStillExpire() {
        Named a = new Named("a");
        deadlines.arm(a, SECOND);
        a.disarm(); // the pending sweep stays scheduled and will find nothing

        advanceMillis(500);
        Named b = new Named("b");
        deadlines.arm(b, SECOND);
        advanceMillis(500);
        assertThat(expired).isEmpty();
        advanceMillis(500);
        assertThat(expired).containsExactly("b");
    }

    @Test
    void anExpiryThatThrowsDoesNotStrandTheEntriesBehindIt() {
        Named a = new Named("a");
        Named b = new Named("b");
        a.then = e -> {
            throw new IllegalStateException("a bug in one exchange");
        };
        deadlines.arm(a, SECOND);
        advanceMillis(100);
        deadlines.arm(b, SECOND);

        advanceMillis(900); // a's expiry throws; the embedded loop reports it and runs on
        advanceMillis(100);
        assertThat(expired).containsExactly("a", "b");
    }

    @Test
    void anEntryMovesBetweenListsWithoutStayingInTheFirst() {
        RequestDeadlines other = new RequestDeadlines(channel.eventLoop());
        Named a = new Named("a");
        deadlines.arm(a, SECOND);
        other.arm(a, SECOND);

        assertThat(deadlines.size()).isZero();
        assertThat(other.size()).isEqualTo(1);
        advanceMillis(1_000);
        assertThat(expired).containsExactly("a");
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> deadlines.arm(new Named("a"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeoutNanos: 0 (expected: > 0)");
    }

    @Test
    void theListOfALoopIsTheSameForEveryExchangeOnIt() {
        assertThat(RequestDeadlines.of(channel.eventLoop())).isSameAs(RequestDeadlines.of(channel.eventLoop()));
    }
}
