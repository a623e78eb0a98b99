package dev.isthmus.mirror.kube;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Small helpers for fabric8 informers. */
public final class Informers {

    private Informers() {}

    /** Runs {@code changed} on every add, update and delete: for consumers that rebuild from the caches. */
    public static <T> SharedIndexInformer<T> onAnyChange(SharedIndexInformer<T> informer, Runnable changed) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                changed.run();
            }

            @Override
            public void onUpdate(T before, T after) {
                changed.run();
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                changed.run();
            }
        });
        return informer;
    }
}
