package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.identity.testing.TestPki;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schedule and the results of one link's probe, on an embedded event loop whose time the test moves. */
class LinkProbeTest {

    /** 1 s ± 10 %: no probe is due 899 ms after the last, one is 1101 ms after. */
    static final ProbeSettings SETTINGS = new ProbeSettings(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 0.1, "/ready");
    static final ProbedLink EAST = new ProbedLink("east", List.of(), TestPki.GATEWAY);

    record Result(LinkStatus status, Duration took, boolean changed) {}

    EmbeddedChannel channel;
    EventLoop loop;
    final List<Promise<Duration>> sent = new ArrayList<>();
    final List<Result> results = new ArrayList<>();
    LinkProbe probe;

    @BeforeEach
    void start() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        loop = channel.eventLoop();
        probe = new LinkProbe(EAST, loop, SETTINGS, () -> {
            Promise<Duration> promise = loop.newPromise();
            sent.add(promise);
            return promise;
        }, Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC), new SplittableRandom(7),
                (status, took, changed) -> results.add(new Result(status, took, changed)));
        probe.start();
        channel.runPendingTasks();
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
    }

    void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void theFirstProbeGoesAtOnceAndTheNextAfterTheJitteredPeriod() {
        assertThat(sent).hasSize(1);
        sent.get(0).setSuccess(Duration.ofMillis(5));

        advance(899);
        assertThat(sent).as("before period - jitter").hasSize(1);
        advance(202);
        assertThat(sent).as("by period + jitter").hasSize(2);

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.changed()).isFalse();
            assertThat(r.status().probed()).isTrue();
            assertThat(r.status().lastLatency()).isEqualTo(Duration.ofMillis(5));
        });
        assertThat(probe.status().alive()).isTrue();
    }

    @Test
    void failuresUpToTheThresholdKillTheLinkOnceAndOneSuccessRevivesIt() {
        sent.get(0).setFailure(new ProbeException("127.0.0.1:1: refused"));
        assertThat(results).singleElement().satisfies(r -> assertThat(r.changed()).isFalse());
        assertThat(probe.status().alive()).isTrue();

        advance(1101);
        sent.get(1).setFailure(new ProbeException("127.0.0.1:1: refused"));
        assertThat(results.get(1).changed()).isTrue();
        assertThat(probe.status().alive()).isFalse();
        assertThat(probe.status().lastError()).isEqualTo("127.0.0.1:1: refused");

        advance(1101);
        sent.get(2).setFailure(new ProbeException("127.0.0.1:1: refused"));
        assertThat(results.get(2).changed()).as("dead already").isFalse();

        advance(1101);
        sent.get(3).setSuccess(Duration.ofMillis(3));
        assertThat(results.get(3).changed()).isTrue();
        assertThat(probe.status().alive()).isTrue();
        assertThat(probe.status().consecutiveFailures()).isZero();
    }

    @Test
    void aProbeStillOutWhenTheNextIsDueMakesItBeSkipped() {
        advance(1101);
        advance(1101);
        assertThat(sent).as("only the first, still out").hasSize(1);

        sent.get(0).setSuccess(Duration.ofMillis(500));
        advance(1101);
        assertThat(sent).hasSize(2);
    }

    @Test
    void stoppingCancelsTheProbeInFlightAndEndsTheSchedule() {
        probe.stop();
        channel.runPendingTasks();

        assertThat(sent.get(0).isCancelled()).isTrue();
        advance(10_000);
        assertThat(sent).hasSize(1);
        assertThat(results).as("a cancelled probe is no result").isEmpty();
    }
}
