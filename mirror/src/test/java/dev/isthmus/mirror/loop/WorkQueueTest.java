package dev.isthmus.mirror.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

    private static final Duration NOW = Duration.ofMillis(10);

    @Test
    void aKeyIsQueuedOnceAndNeverHandedOutTwiceAtATime() throws Exception {
        try (WorkQueue queue = new WorkQueue("t", Duration.ofMillis(5), Duration.ofMillis(50))) {
            queue.add("a");
            queue.add("b");
            queue.add("a");
            assertThat(queue.size()).isEqualTo(2);
            assertThat(queue.poll(NOW)).isEqualTo("a");
            queue.add("a"); // changed while being reconciled
            assertThat(queue.poll(NOW)).isEqualTo("b");
            assertThat(queue.poll(NOW)).isNull();
            queue.done("a");
            assertThat(queue.poll(NOW)).isEqualTo("a");
            queue.done("a");
            queue.done("b");
            assertThat(queue.idle()).isTrue();
        }
    }

    @Test
    void failuresComeBackLaterWithGrowingDelays() throws Exception {
        try (WorkQueue queue = new WorkQueue("t", Duration.ofMillis(20), Duration.ofMillis(80))) {
            assertThat(queue.addRateLimited("a")).isEqualTo(1);
            assertThat(queue.poll(Duration.ofSeconds(2))).isEqualTo("a");
            queue.done("a");
            assertThat(queue.addRateLimited("a")).isEqualTo(2);
            queue.forget("a");
            assertThat(queue.addRateLimited("a")).isEqualTo(1);
        }
    }
}
