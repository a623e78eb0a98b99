package dev.isthmus.gateway.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.identity.SpiffeId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    static final Endpoint FIRST = new Endpoint("192.0.2.1", 4143, true);
    static final Endpoint SECOND = new Endpoint("192.0.2.2", 4143, true);

    static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId NORTH = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-north");

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ReconnectBackoff backoff = new ReconnectBackoff(now::get);

    void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void waitsTwiceAsLongAfterEachFailureUpToTenSeconds() {
        long[] expectedWaits = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
        for (long wait : expectedWaits) {
            backoff.failed(FIRST, EAST, "refused");
            assertThat(backoff.refusal(FIRST, EAST)).isEqualTo("refused; the next attempt in " + wait + " ms");
            advanceMillis(wait - 1);
            assertThat(backoff.refusal(FIRST, EAST)).endsWith("in 1 ms");
            advanceMillis(1);
            assertThat(backoff.refusal(FIRST, EAST)).isNull();
        }
    }

    @Test
    void aSuccessStartsOver() {
        backoff.failed(FIRST, EAST, "refused");
        backoff.failed(FIRST, EAST, "refused");
        backoff.succeeded(FIRST, EAST);
        assertThat(backoff.refusal(FIRST, EAST)).isNull();
        backoff.failed(FIRST, EAST, "timed out");
        assertThat(backoff.refusal(FIRST, EAST)).isEqualTo("timed out; the next attempt in 100 ms");
    }

    @Test
    void aFailureForOneIdentityDoesNotHoldBackCallsForAnother() {
        backoff.failed(FIRST, NORTH, "remote gateway 192.0.2.1:4143 is not who the link says");
        assertThat(backoff.refusal(FIRST, NORTH)).startsWith("remote gateway 192.0.2.1:4143 is not who the link says;");
        assertThat(backoff.refusal(FIRST, EAST)).isNull();
    }

    @Test
    void choosesTheFirstAddressThatMayBeTried() {
        List<Endpoint> gateways = List.of(FIRST, SECOND);
        assertThat(backoff.choose(gateways, EAST)).isEqualTo(FIRST);
        backoff.failed(FIRST, EAST, "refused");
        assertThat(backoff.choose(gateways, EAST)).isEqualTo(SECOND);
        backoff.failed(SECOND, EAST, "refused");
        assertThat(backoff.choose(gateways, EAST)).as("all waiting: the first, which will fail fast").isEqualTo(FIRST);
        assertThat(backoff.choose(List.of(), EAST)).isNull();
    }
}
