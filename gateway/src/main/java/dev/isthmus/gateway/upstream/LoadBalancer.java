package dev.isthmus.gateway.upstream;

import dev.isthmus.gateway.routing.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Power of two choices on requests in flight: pick two ready instances at random and take the one
 * with fewer outstanding requests. It needs no latency history, adapts at once to a slow instance
 * (its requests pile up), and costs two random numbers per pick — peak-EWMA would weigh latency too,
 * but needs per-response timing and decay for little gain behind a gateway whose backends are
 * Kubernetes pods of one Deployment.
 *
 * <p>Passive ejection: an instance that fails {@code threshold} times in a row is skipped for a while.
 * If every ready instance is ejected, all of them are tried anyway: better a likely failure than a
 * certain one.
 */
public final class LoadBalancer {

    private static final Logger log = Logger.getLogger(LoadBalancer.class.getName());

    private final Map<Endpoint, EndpointState> states = new ConcurrentHashMap<>();
    private final int threshold;
    private final long ejectionNanos;
    private final LongSupplier nanoClock;

    public LoadBalancer(int threshold, long ejectionNanos, LongSupplier nanoClock) {
        if (threshold < 1) {
            throw new IllegalArgumentException("ejection threshold: " + threshold + " (expected: at least 1)");
        }
        this.threshold = threshold;
        this.ejectionNanos = ejectionNanos;
        this.nanoClock = nanoClock;
    }

    public LoadBalancer() {
        this(5, 10_000_000_000L, System::nanoTime);
    }

    /** Picks an instance from the ready ones; {@code null} when there are none. */
    public Endpoint pick(List<Endpoint> ready) {
        int size = ready.size();
        if (size == 0) {
            return null;
        }
        if (size == 1) {
            return ready.get(0);
        }
        long now = nanoClock.getAsLong();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Endpoint best = null;
        int bestLoad = Integer.MAX_VALUE;
        // Two choices among the instances not ejected; a few extra draws find them when some are.
        for (int draws = 0, chosen = 0; draws < 8 && chosen < 2; draws++) {
            Endpoint candidate = ready.get(random.nextInt(size));
            EndpointState state = state(candidate);
            if (state.ejected(now) || candidate == best) {
                continue;
            }
            chosen++;
            if (state.outstanding() < bestLoad) {
                best = candidate;
                bestLoad = state.outstanding();
            }
        }
        return best != null ? best : leastLoadedNotEjected(ready, now, random);
    }

    /** The rare case where every draw hit an ejected instance: look at them all. */
    private Endpoint leastLoadedNotEjected(List<Endpoint> ready, long now, ThreadLocalRandom random) {
        Endpoint best = null;
        for (Endpoint candidate : ready) {
            EndpointState state = state(candidate);
            if (!state.ejected(now) && (best == null || state.outstanding() < state(best).outstanding())) {
                best = candidate;
            }
        }
        return best != null ? best : ready.get(random.nextInt(ready.size()));
    }

    /** Marks the start of a request to {@code endpoint}; pair with {@link #finished}. */
    public void started(Endpoint endpoint) {
        started(state(endpoint));
    }

    /** {@link #started(Endpoint)} for a caller that keeps the endpoint's {@link #state}: no lookup per request. */
    public void started(EndpointState state) {
        state.outstanding.incrementAndGet();
    }

    public void finished(Endpoint endpoint, boolean success) {
        finished(endpoint, state(endpoint), success);
    }

    /** {@link #finished(Endpoint, boolean)} with the endpoint's {@link #state}, kept since {@link #started(EndpointState)}. */
    public void finished(Endpoint endpoint, EndpointState state, boolean success) {
        state.outstanding.decrementAndGet();
        if (success) {
            state.succeeded();
        } else if (state.failed(threshold, ejectionNanos, nanoClock.getAsLong())) {
            log.warning(() -> "ejecting " + endpoint.host() + ":" + endpoint.port() + " after " + threshold + " failures in a row");
        }
    }

    /** A connection attempt that failed counts as a failed request. */
    public void connectFailed(Endpoint endpoint) {
        started(endpoint);
        finished(endpoint, false);
    }

    /** What the balancer knows of {@code endpoint}: one object for its lifetime, so a caller may keep it. */
    public EndpointState state(Endpoint endpoint) {
        // Keyed by the endpoint itself: pick hands out the very records of the ready list, so no key is built per call.
        return states.computeIfAbsent(endpoint, k -> new EndpointState());
    }
}
