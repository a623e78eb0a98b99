package dev.isthmus.mirror.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReconcileLoopTest {

    private static final Duration FIRST_RETRY = Duration.ofMillis(5);
    private static final Duration LAST_RETRY = Duration.ofMillis(40);

    @Test
    void aFailingKeyIsRetriedUntilItSucceedsAndTheReconcilerHearsOfEachFailure() {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> failures = new CopyOnWriteArrayList<>();
        Reconciler flaky = new Reconciler() {
            @Override
            public void reconcile(String key) {
                if (calls.incrementAndGet() < 4) {
                    throw new IllegalStateException("conflict " + calls.get());
                }
            }

            @Override
            public void failed(String key, int attempt, RuntimeException error) {
                failures.add(attempt);
            }
        };
        try (ReconcileLoop loop = new ReconcileLoop("test", FIRST_RETRY, LAST_RETRY, flaky).start()) {
            loop.add("ns/a");
            await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() == 4 && loop.idle());
            assertThat(failures).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aKeyAddedWhileItIsReconciledIsReconciledAgainAfterwardsNeverAlongside() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        Reconciler slow = key -> {
            most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            calls.incrementAndGet();
            inside.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
        };
        try (ReconcileLoop loop = new ReconcileLoop("test", FIRST_RETRY, LAST_RETRY, slow).start()) {
            loop.add("ns/a");
            assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
            loop.add("ns/a");
            loop.add("ns/a"); // two events while busy: one more reconcile, not two
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() == 2 && loop.idle());
            assertThat(most.get()).isEqualTo(1);
        }
    }

    @Test
    void aBurstOfDebouncedAddsMakesOneReconcile() {
        AtomicInteger calls = new AtomicInteger();
        try (ReconcileLoop loop = new ReconcileLoop("test", FIRST_RETRY, LAST_RETRY, key -> calls.incrementAndGet()).start()) {
            for (int i = 0; i < 100; i++) {
                loop.addDebounced("everything", Duration.ofMillis(200));
            }
            assertThat(loop.idle()).as("a debounced key counts as pending").isFalse();
            await().atMost(Duration.ofSeconds(20)).until(loop::idle);
            assertThat(calls.get()).isEqualTo(1);
        }
    }

    @Test
    void keysAddedBeforeTheStartWaitForIt() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ReconcileLoop loop = new ReconcileLoop("test", FIRST_RETRY, LAST_RETRY, seen::add);
        try (loop) {
            loop.add("ns/a");
            loop.add("ns/b");
            assertThat(seen).isEmpty();
            loop.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 2);
            assertThat(seen).containsExactly("ns/a", "ns/b");
        }
    }

    @Test
    void closingLetsTheReconcileInProgressFinishAndTakesNoMoreKeys() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        List<String> finished = new CopyOnWriteArrayList<>();
        ReconcileLoop loop = new ReconcileLoop("test", FIRST_RETRY, LAST_RETRY, key -> {
            inside.countDown();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.add(key);
        }).start();
        loop.add("ns/a");
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
        loop.add("ns/b");
        loop.close();
        assertThat(finished).containsExactly("ns/a");
        loop.add("ns/c");
        assertThat(finished).containsExactly("ns/a");
    }

    @Test
    void aLoopClosedBeforeItStartedNeverStarts() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ReconcileLoop loop = new ReconcileLoop("closed-early", FIRST_RETRY, LAST_RETRY, seen::add);
        loop.add("ns/a");
        loop.close();
        loop.start();
        loop.add("ns/b");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.getName().equals("closed-early-worker"));
        assertThat(seen).isEmpty();
    }

    @Test
    void hostileSettingsAreRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> new ReconcileLoop("test", Duration.ZERO, LAST_RETRY, key -> {}))
                .hasMessageContaining("expected: 0 < first delay <= max delay");
        assertThatThrownBy(() -> new ReconcileLoop("test", LAST_RETRY, FIRST_RETRY, key -> {}))
                .hasMessageContaining("expected: 0 < first delay <= max delay");
        try (ReconcileLoop loop = new ReconcileLoop("test", FIRST_RETRY, LAST_RETRY, key -> {}).start()) {
            assertThatThrownBy(loop::start).hasMessageContaining("started twice");
            assertThatThrownBy(() -> loop.add(null)).isInstanceOf(NullPointerException.class);
        }
    }
}
