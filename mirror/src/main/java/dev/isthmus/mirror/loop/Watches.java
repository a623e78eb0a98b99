package dev.isthmus.mirror.loop;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A controller's informers: each event only becomes a key (or a "something changed"), never work done
 * on the informer's thread. Informers retry whatever fails, also before their first list, because an API
 * server that is down now may be up later; their caches meanwhile keep what they last saw. Started
 * together, stopped together in reverse order.
 */
public final class Watches implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Watches.class.getName());

    private final String name;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private volatile boolean open = true;

    /** @param name whose watches these are, for the log lines: {@code link east}, {@code the split controller} */
    public Watches(String name) {
        this.name = requireNonNull(name, "name");
    }

    /** Adds {@code informer}; {@code onEvent} gets the object of every add, update (the new one) and delete. */
    public synchronized <T> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, Consumer<T> onEvent) {
        requireNonNull(onEvent, "onEvent");
        informer.exceptionHandler((started, error) -> {
            LOG.log(Level.FINE, name + ": watching " + informer.getApiTypeClass().getSimpleName() + " failed, will retry: "
                    + error);
            return open;
        });
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                onEvent.accept(object);
            }

            @Override
            public void onUpdate(T before, T after) {
                onEvent.accept(after);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                onEvent.accept(object);
            }
        });
        informers.add(informer);
        return informer;
    }

    /** Adds {@code informer} for a controller that rebuilds from the caches: any change runs {@code changed}. */
    public <T> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, Runnable changed) {
        requireNonNull(changed, "changed");
        return watch(informer, object -> changed.run());
    }

    /** Starts every informer; the future completes when all have listed once. */
    public synchronized CompletableFuture<Void> start() {
        return CompletableFuture.allOf(informers.stream().map(informer -> informer.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }

    public static boolean synced(Collection<? extends SharedIndexInformer<?>> informers) {
        return informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /**
     * Waits until {@code informers} have listed once.
     *
     * @throws IllegalStateException when they have not within {@code timeout}
     */
    public void awaitSynced(Collection<? extends SharedIndexInformer<?>> informers, Duration timeout, String what) {
        long until = System.nanoTime() + timeout.toNanos();
        while (open && !synced(informers)) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException(name + ": the " + what + " API server's objects could not be listed within "
                        + timeout.toSeconds() + " s (see the warnings above)");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted while waiting for the " + what + " API server", e);
            }
        }
    }

    /** Stops the informers, last started first; their exception handlers stop retrying. */
    @Override
    public synchronized void close() {
        open = false;
        for (int i = informers.size() - 1; i >= 0; i--) {
            informers.get(i).stop();
        }
    }
}
