package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The ring of a pool's idle connections: newest leased first, oldest expired first. */
class IdleConnectionsTest {

    private final Channel a = new EmbeddedChannel();
    private final Channel b = new EmbeddedChannel();
    private final Channel c = new EmbeddedChannel();
    private final Channel d = new EmbeddedChannel();

    @Test
    void theNewestIsLeasedFirstAndTheOldestExpiresFirst() {
        IdleConnections idle = new IdleConnections(4);
        idle.offer(a, 10);
        idle.offer(b, 20);
        idle.offer(c, 30);

        assertThat(idle.pollNewest()).isSameAs(c);
        assertThat(idle.oldestSinceNanos()).isEqualTo(10);
        assertThat(idle.pollIdleSince(15)).isSameAs(a);
        assertThat(idle.pollIdleSince(15)).as("b went idle after the cutoff").isNull();
        assertThat(idle.pollIdleSince(20)).isSameAs(b);
        assertThat(idle.isEmpty()).isTrue();
        assertThat(idle.pollNewest()).isNull();
        assertThat(idle.pollIdleSince(Long.MAX_VALUE)).isNull();
    }

    @Test
    void aFullRingRefusesMore() {
        IdleConnections idle = new IdleConnections(2);
        assertThat(idle.offer(a, 1)).isTrue();
        assertThat(idle.offer(b, 2)).isTrue();
        assertThat(idle.offer(c, 3)).isFalse();
        assertThat(idle.size()).isEqualTo(2);
    }

    @Test
    void removingFromTheMiddleKeepsTheOrderOfTheRest() {
        IdleConnections idle = new IdleConnections(4);
        idle.offer(a, 1);
        idle.offer(b, 2);
        idle.offer(c, 3);

        assertThat(idle.remove(b)).isTrue();
        assertThat(idle.remove(b)).as("a connection is removed once").isFalse();
        assertThat(idle.remove(d)).isFalse();
        assertThat(idle.pollIdleSince(5)).isSameAs(a);
        assertThat(idle.oldestSinceNanos()).isEqualTo(3);
        assertThat(idle.pollNewest()).isSameAs(c);
        assertThat(idle.isEmpty()).isTrue();
    }

    @Test
    void theRingWrapsAround() {
        IdleConnections idle = new IdleConnections(3);
        long now = 0;
        Channel[] channels = {a, b, c, d};
        for (int round = 0; round < 10; round++) {
            idle.offer(channels[round % 4], ++now);
            idle.offer(channels[(round + 1) % 4], ++now);
            assertThat(idle.pollIdleSince(now - 1)).isSameAs(channels[round % 4]);
            assertThat(idle.remove(channels[(round + 1) % 4])).isTrue();
            assertThat(idle.isEmpty()).isTrue();
        }
        idle.offer(a, 100);
        idle.offer(b, 101);
        idle.offer(c, 102);
        assertThat(idle.remove(a)).isTrue();
        assertThat(idle.offer(d, 103)).isTrue();
        assertThat(idle.pollIdleSince(101)).isSameAs(b);
        assertThat(idle.pollNewest()).isSameAs(d);
        assertThat(idle.pollNewest()).isSameAs(c);
        assertThat(idle.pollNewest()).isNull();
    }
}
