package dev.isthmus.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

    private final AtomicLong now = new AtomicLong();
    private final LoadBalancer balancer = new LoadBalancer(3, 1_000, now::get);
    private final Endpoint a = new Endpoint("10.0.0.1", 80, true);
    private final Endpoint b = new Endpoint("10.0.0.2", 80, true);
    private final Endpoint c = new Endpoint("10.0.0.3", 80, true);

    @Test
    void noReadyEndpointsIsNull() {
        assertThat(balancer.pick(List.of())).isNull();
    }

    @Test
    void spreadsEvenlyWhenNothingIsInFlight() {
        Map<Endpoint, Integer> picks = count(List.of(a, b, c), 30_000);
        assertThat(picks.values()).allSatisfy(n -> assertThat(n).isBetween(9_000, 11_000));
    }

    @Test
    void avoidsTheInstanceWithTheMostRequestsInFlight() {
        for (int i = 0; i < 50; i++) {
            balancer.started(a); // a is slow: its requests pile up
        }
        Map<Endpoint, Integer> picks = count(List.of(a, b, c), 9_000);
        // a wins only when both draws land on it: 1/9 of picks at most, and then only as the sole choice
        assertThat(picks.getOrDefault(a, 0)).isLessThan(1_500);
    }

    @Test
    void ejectsAnInstanceAfterConsecutiveFailuresAndTakesItBackLater() {
        for (int i = 0; i < 3; i++) {
            balancer.connectFailed(a);
        }
        assertThat(count(List.of(a, b), 2_000).getOrDefault(a, 0)).as("ejected").isZero();

        now.addAndGet(1_001);
        assertThat(count(List.of(a, b), 2_000).getOrDefault(a, 0)).as("back after the ejection time").isPositive();
    }

    @Test
    void aKeptStateCountsForItsEndpointAsTheEndpointDoes() {
        EndpointState kept = balancer.state(a);
        assertThat(balancer.state(new Endpoint("10.0.0.1", 80, true))).as("one state per endpoint, for a caller to keep").isSameAs(kept);
        for (int i = 0; i < 3; i++) {
            balancer.started(kept);
        }
        assertThat(kept.outstanding()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            balancer.finished(a, kept, false);
        }
        assertThat(kept.outstanding()).isZero();
        assertThat(count(List.of(a, b), 2_000).getOrDefault(a, 0)).as("ejected").isZero();
    }

    @Test
    void aSuccessResetsTheFailureCount() {
        balancer.connectFailed(a);
        balancer.connectFailed(a);
        balancer.started(a);
        balancer.finished(a, true);
        balancer.connectFailed(a);
        assertThat(count(List.of(a, b), 2_000).getOrDefault(a, 0)).as("not ejected").isPositive();
    }

    @Test
    void repeatedEjectionsLastLonger() {
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 3; i++) {
                balancer.connectFailed(a);
            }
            now.addAndGet(1_001); // the first ejection has ended; the second lasts twice as long
        }
        assertThat(count(List.of(a, b), 2_000).getOrDefault(a, 0)).as("still ejected").isZero();
        now.addAndGet(1_001);
        assertThat(count(List.of(a, b), 2_000).getOrDefault(a, 0)).isPositive();
    }

    @Test
    void whenEveryInstanceIsEjectedItStillPicksOne() {
        for (Endpoint e : List.of(a, b)) {
            for (int i = 0; i < 3; i++) {
                balancer.connectFailed(e);
            }
        }
        assertThat(balancer.pick(List.of(a, b))).isIn(a, b);
    }

    private Map<Endpoint, Integer> count(List<Endpoint> ready, int picks) {
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(balancer.pick(ready), 1, Integer::sum);
        }
        return counts;
    }
}
