package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one registry of upstream pools, with embedded channels' event loops and pools that only record what was asked. */
class PoolRegistryTest {

    /** A pool that makes no connection; the test tells its owner when it empties and fills. */
    private static final class RecordedPool implements HttpUpstream {
        final String key;
        final PoolOwner owner;

        RecordedPool(String key, PoolOwner owner) {
            this.key = key;
            this.owner = owner;
        }

        @Override
        public void acquire(Promise<BackendLease> leased) {
            throw new UnsupportedOperationException("not dialed in this test");
        }

        @Override
        public void release(BackendLease lease, boolean reusable) {
            throw new UnsupportedOperationException("not dialed in this test");
        }
    }

    private final EmbeddedChannel first = new EmbeddedChannel();
    private final EmbeddedChannel second = new EmbeddedChannel();
    private final List<String> made = new ArrayList<>();
    private final PoolRegistry<String> registry = new PoolRegistry<>((loop, key, owner) -> {
        made.add(key);
        return new RecordedPool(key, owner);
    });

    @AfterEach
    void close() {
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    private EventLoop loop(EmbeddedChannel channel) {
        return channel.eventLoop();
    }

    @Test
    void oneKeyOnOneLoopIsOnePoolMadeOnce() {
        HttpUpstream pool = registry.pool(loop(first), "east");

        assertThat(registry.pool(loop(first), "east")).isSameAs(pool);
        assertThat(made).containsExactly("east");
    }

    @Test
    void eachLoopAndEachKeyHasAPoolOfItsOwn() {
        HttpUpstream east = registry.pool(loop(first), "east");

        assertThat(registry.pool(loop(second), "east")).isNotSameAs(east);
        assertThat(registry.pool(loop(first), "north")).isNotSameAs(east);
        assertThat(made).containsExactly("east", "east", "north");
    }

    @Test
    void aPoolThatEmptiedIsForgottenAndOneThatFillsAgainIsFoundAgain() {
        RecordedPool pool = (RecordedPool) registry.pool(loop(first), "east");

        pool.owner.emptied(pool);
        RecordedPool next = (RecordedPool) registry.pool(loop(first), "east");
        assertThat(next).isNotSameAs(pool);

        next.owner.emptied(next);
        pool.owner.refilled(pool); // the old pool made a connection again: the way back, so it is not stranded
        assertThat(registry.pool(loop(first), "east")).isSameAs(pool);
    }

    @Test
    void aStalePoolEmptyingDoesNotDropTheOneThatReplacedIt() {
        RecordedPool old = (RecordedPool) registry.pool(loop(first), "east");
        old.owner.emptied(old);
        HttpUpstream current = registry.pool(loop(first), "east");

        old.owner.emptied(old);

        assertThat(registry.pool(loop(first), "east")).isSameAs(current);
    }
}
