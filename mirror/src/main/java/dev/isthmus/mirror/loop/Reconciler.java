package dev.isthmus.mirror.loop;

/**
 * Makes the cluster look as it should for one key, from the informers' caches. Level-based: it reads
 * the present state, not the event that queued the key, so reconciling a key twice does no harm.
 */
@FunctionalInterface
public interface Reconciler {

    /** @throws RuntimeException when the key should be tried again later, with backoff */
    void reconcile(String key);

    /**
     * The {@code attempt}-th reconcile in a row of {@code key} threw {@code error}; the loop has logged it and
     * will retry. For a controller that reports failures elsewhere too (a status condition, a metric).
     */
    default void failed(String key, int attempt, RuntimeException error) {
    }
}
