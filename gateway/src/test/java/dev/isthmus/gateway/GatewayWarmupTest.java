package dev.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The warm-up runs real traffic through two throwaway gateways on 127.0.0.1 (real mTLS, real HTTP/2 between them) and
 * leaves nothing behind; it ends by itself, and a warm-up that cannot run reports instead of throwing.
 */
class GatewayWarmupTest {

    private static final Clock CLOCK = Clock.systemUTC();

    @Test
    void carriesRequestsThroughTwoLoopbackGatewaysUntilItsTimeLimitAndLeavesNoThreadBehind() {
        Set<String> before = liveThreads();
        // A quiet threshold of 0 ms is never met, so only the time limit ends it (generous: a cold JVM on a busy machine).
        GatewayWarmup.Outcome outcome = GatewayWarmup.run(1, new GatewayWarmup.Settings(Duration.ZERO, Duration.ofSeconds(20), 2, 0),
                CLOCK);

        // All three rounds run, each until its own deadline; together they take the whole maximum.
        assertThat(outcome.stoppedBecause()).isEqualTo("round 1: time limit; round 2: time limit; round 3: time limit");
        assertThat(outcome.requests()).isPositive();
        // Each round's new connections, all made well within its share of the time: west's client side, east's server side.
        assertThat(outcome.handshakes()).isEqualTo(GatewayWarmup.ROUNDS * (long) GatewayWarmup.HANDSHAKES);
        assertThat(outcome.failed()).isZero();
        assertThat(outcome.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        // The gateways' event loops (acceptor, workers) are shut down, not left to the real gateway's JVM.
        Set<String> left = liveThreads();
        left.removeAll(before);
        assertThat(left).noneMatch(name -> name.contains("EventLoopGroup") || name.startsWith("epoll") || name.startsWith("nio"));
    }

    @Test
    void endsOnceTheJitCompiledLessThanTheQuietThresholdInASecondOfRequests() {
        GatewayWarmup.Outcome outcome = GatewayWarmup.run(1,
                new GatewayWarmup.Settings(Duration.ZERO, Duration.ofSeconds(60), 2, Long.MAX_VALUE), CLOCK);

        // Every round: each later one compiles again what closing the one before made the JIT throw away.
        assertThat(outcome.stoppedBecause()).matches("round 1: JIT quiet: .*; round 2: JIT quiet: .*; round 3: JIT quiet: .*");
        assertThat(outcome.requests()).isPositive();
        assertThat(outcome.took()).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aMaximumOfZeroDisablesIt() {
        GatewayWarmup.Outcome outcome = GatewayWarmup.run(1, GatewayWarmup.Settings.upTo(Duration.ZERO), CLOCK);

        assertThat(outcome).isEqualTo(new GatewayWarmup.Outcome(0, 0, 0, Duration.ZERO, "disabled"));
    }

    @Test
    void aWarmupThatCannotStartReportsWhyInsteadOfStoppingTheGateway() {
        GatewayWarmup.Outcome outcome = GatewayWarmup.run(-1, GatewayWarmup.Settings.upTo(Duration.ofSeconds(5)), CLOCK);

        assertThat(outcome.stoppedBecause()).startsWith("failed: ").contains("ioThreads: -1");
        assertThat(outcome.requests()).isZero();
    }

    @Test
    void settingsRejectWhatCouldNotEndOrCouldNotRun() {
        assertThatThrownBy(() -> GatewayWarmup.Settings.upTo(Duration.ofSeconds(-1)))
                .hasMessageContaining("expected: 0 <= minimum <= maximum");
        assertThatThrownBy(() -> new GatewayWarmup.Settings(Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 0))
                .hasMessageContaining("expected: 0 <= minimum <= maximum");
        assertThatThrownBy(() -> GatewayWarmup.Settings.upTo(Duration.ofMinutes(6))).hasMessageContaining("expected: at most 5 minutes");
        assertThatThrownBy(() -> new GatewayWarmup.Settings(Duration.ZERO, Duration.ofSeconds(1), 0, 0))
                .hasMessageContaining("expected: 1-256");
        assertThatThrownBy(() -> new GatewayWarmup.Settings(Duration.ZERO, Duration.ofSeconds(1), 257, 0))
                .hasMessageContaining("expected: 1-256");
        assertThatThrownBy(() -> new GatewayWarmup.Settings(Duration.ZERO, Duration.ofSeconds(1), 1, -1))
                .hasMessageContaining("expected: 0 or more");
        assertThat(GatewayWarmup.Settings.upTo(Duration.ofSeconds(1)).minimum()).isEqualTo(Duration.ofSeconds(1));
        assertThat(GatewayWarmup.Settings.upTo(Duration.ofSeconds(30)).minimum()).isEqualTo(Duration.ofSeconds(3));
    }

    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
