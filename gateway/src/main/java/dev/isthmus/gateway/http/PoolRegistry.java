package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the gateway keeps its pools of upstream connections, backend instances and peer gateways alike: per event
 * loop, by a key the owner chooses (what tells its upstreams apart). An exchange leases from the pool of its own
 * event loop, so a pool and its loop's map are touched by that thread only and need no locks. A missing pool is
 * made by the owner's {@link Factory}; a pool whose last connection closed is dropped ({@link PoolOwner}), so
 * upstreams that left the route table leave no trace.
 *
 * @param <K> the owner's key; its equality decides which callers share a pool
 */
public final class PoolRegistry<K> {

    /** Makes the pool of {@code loop} for {@code key}; it tells {@code owner} when it empties and fills again. */
    @FunctionalInterface
    public interface Factory<K> {
        HttpUpstream create(EventLoop loop, K key, PoolOwner owner);
    }

    private final Factory<K> factory;
    private final Map<EventLoop, Map<K, HttpUpstream>> byLoop = new ConcurrentHashMap<>();

    public PoolRegistry(Factory<K> factory) {
        this.factory = requireNonNull(factory, "factory");
    }

    /** The pool of {@code loop} for {@code key}, made now if there is none; call on {@code loop}. */
    public HttpUpstream pool(EventLoop loop, K key) {
        Map<K, HttpUpstream> pools = byLoop.get(loop); // a plain read: computeIfAbsent may lock even when the key is there
        if (pools == null) {
            pools = byLoop.computeIfAbsent(loop, l -> new HashMap<>());
        }
        HttpUpstream pool = pools.get(key);
        if (pool == null) {
            pool = factory.create(loop, key, PoolOwner.of(pools, key));
            pools.put(key, pool);
        }
        return pool;
    }
}
