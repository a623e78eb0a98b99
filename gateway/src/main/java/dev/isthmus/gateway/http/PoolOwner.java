package dev.isthmus.gateway.http;

import java.util.Map;

/**
 * Where a pool of upstream connections is kept: the pools of one event loop, by upstream. A pool whose
 * last connection closed is dropped, so upstreams that left the route table leave no trace; one that
 * makes a connection again is put back. That happens when an exchange retries on a new connection
 * right after its pool's last one closed: without the way back, that connection would be stranded in a
 * pool nobody else finds.
 */
public interface PoolOwner {

    /** The pool's last connection closed. */
    void emptied(HttpUpstream pool);

    /** The pool opens its first connection (again). */
    void refilled(HttpUpstream pool);

    /** The owner of {@code key}'s pool in {@code pools}: a map touched only on its event loop. */
    static <K> PoolOwner of(Map<K, HttpUpstream> pools, K key) {
        return new PoolOwner() {
            @Override
            public void emptied(HttpUpstream pool) {
                pools.remove(key, pool);
            }

            @Override
            public void refilled(HttpUpstream pool) {
                pools.putIfAbsent(key, pool);
            }
        };
    }
}
