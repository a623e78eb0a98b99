package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.identity.SpiffeId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the gateway from hammering a remote gateway that is down: after a failed connection, new
 * attempts to that address (for that expected identity: a peer refused for its identity says nothing
 * about the same address called for the identity it has) wait, 100 ms after the first failure and twice as long after each further
 * one, up to 10 s; requests in between fail at once, saying why. A success resets it.
 */
final class ReconnectBackoff {

    static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Key(Endpoint gateway, SpiffeId identity) {}

    private final Map<Key, State> states = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    ReconnectBackoff(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    private static final class State {
        long delayNanos;
        long notBeforeNanos;
        String lastFailure;
    }

    /** {@code null} when a connection to {@code gateway} may be tried now; otherwise why not, for the client. */
    String refusal(Endpoint gateway, SpiffeId identity) {
        if (states.isEmpty()) {
            return null; // no gateway is backing off: every request asks, so skip the key and the lookup
        }
        State state = states.get(new Key(gateway, identity));
        if (state == null) {
            return null;
        }
        synchronized (state) {
            long wait = state.notBeforeNanos - nanoClock.getAsLong();
            if (wait <= 0) {
                return null;
            }
            return state.lastFailure + "; the next attempt in " + Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)) + " ms";
        }
    }

    /** The first of {@code gateways} that may be tried now, or the first one when all are waiting. */
    Endpoint choose(List<Endpoint> gateways, SpiffeId identity) {
        for (Endpoint gateway : gateways) {
            if (refusal(gateway, identity) == null) {
                return gateway;
            }
        }
        return gateways.isEmpty() ? null : gateways.get(0);
    }

    void failed(Endpoint gateway, SpiffeId identity, String why) {
        State state = states.computeIfAbsent(new Key(gateway, identity), k -> new State());
        synchronized (state) {
            state.delayNanos = state.delayNanos == 0 ? MIN_NANOS : Math.min(state.delayNanos * 2, MAX_NANOS);
            state.notBeforeNanos = nanoClock.getAsLong() + state.delayNanos;
            state.lastFailure = why;
        }
    }

    void succeeded(Endpoint gateway, SpiffeId identity) {
        states.remove(new Key(gateway, identity));
    }
}
