package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.MirrorObjects;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.loop.ReconcileLoop;
import dev.isthmus.mirror.loop.Reconciler;
import dev.isthmus.mirror.loop.Watches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * Mirrors one Link's exported Services: the controller half of the mirror's controller shape. Informer events
 * only become keys (the remote Service's {@code namespace/name}, or {@link #LINK_KEY} for the Link-wide work)
 * on a {@link ReconcileLoop}, which hands them to {@link ServiceReconciler} and {@link LinkReconciler}. Nothing
 * is reconciled before the target's informers have listed once, so a target that cannot be reached leaves the
 * mirrors as they are. Timers repair every mirror periodically, poll the gateways for the link's health and
 * flush the Link's status.
 */
public final class MirrorController implements AutoCloseable {

    /** The key of the Link-wide work: gateway addresses and the Ready condition. */
    static final String LINK_KEY = "@link";
    private static final Duration STATUS_FLUSH = Duration.ofSeconds(1);

    private final LinkSettings settings;
    private final MirrorOptions options;
    private final MirrorMetrics metrics;
    private final LinkLog log;
    private final Watches watches;
    private final MirrorCaches caches;
    private final MirrorStatus status;
    private final LinkStatusWriter statusWriter;
    private final LinkLiveness liveness;
    private final ServiceReconciler services;
    private final LinkReconciler linkWide;
    private final ReconcileLoop loop;
    private final ScheduledExecutorService timers;
    private volatile boolean running;

    public MirrorController(KubernetesClient local, KubernetesClient remote, Link link, MirrorOptions options,
            MirrorMetrics metrics) {
        this.settings = LinkSettings.of(link);
        this.options = options;
        this.metrics = metrics;
        this.log = new LinkLog(MirrorController.class, settings.linkName());
        this.watches = new Watches("link " + settings.linkName());
        this.caches = new MirrorCaches(local, remote, settings, watches, new KeysOfEvents());
        this.status = new MirrorStatus(link.getStatus());
        this.statusWriter = new LinkStatusWriter(local, settings, status, log.forClass(LinkStatusWriter.class));
        this.liveness = new LinkLiveness(settings, options, caches::gatewaySlices, status, metrics, this::enqueueAll,
                log.forClass(LinkLiveness.class));
        MirrorWrites writes = new MirrorWrites(local, settings, log.forClass(MirrorWrites.class));
        this.services = new ServiceReconciler(settings, options, caches, writes, status, new LinkEvents(local, link),
                metrics, liveness::alive, log.forClass(ServiceReconciler.class));
        this.linkWide = new LinkReconciler(settings, caches, status);
        this.loop = new ReconcileLoop(Names.mirrorController(settings.linkName()), Duration.ofMillis(50),
                Duration.ofSeconds(30), new Reconciler() {
                    @Override
                    public void reconcile(String key) {
                        MirrorController.this.reconcile(key);
                    }

                    @Override
                    public void failed(String key, int attempt, RuntimeException error) {
                        metrics.reconcileErrors.increment();
                        if (attempt >= 3 && !LINK_KEY.equals(key)) {
                            services.failed(key, error);
                        }
                    }
                });
        this.timers = Executors.newScheduledThreadPool(1, runnable -> {
            Thread thread = new Thread(runnable, Names.mirrorController(settings.linkName()) + "-timers");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts the informers and waits for the local ones to list; the loop starts once the target's have
     * listed too. Returns without waiting for the target, which may be down.
     */
    public MirrorController start() {
        running = true;
        watches.start();
        watches.awaitSynced(caches.local(), Duration.ofSeconds(30), "local");
        timers.execute(this::mirrorOnceTargetListed);
        return this;
    }

    private void mirrorOnceTargetListed() {
        while (running && !caches.remoteSynced()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!running) {
            return;
        }
        log.info("target cluster " + settings.clusterName() + " listed; mirroring");
        liveness.poll();
        enqueueAll();
        loop.start();
        long repair = options.repairPeriod().toMillis();
        timers.scheduleWithFixedDelay(this::repair, repair, repair, TimeUnit.MILLISECONDS);
        long health = options.healthPeriod().toMillis();
        timers.scheduleWithFixedDelay(liveness::poll, health, health, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::flushStatus, STATUS_FLUSH.toMillis(), STATUS_FLUSH.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void reconcile(String key) {
        metrics.reconciles.increment();
        if (LINK_KEY.equals(key)) {
            linkWide.reconcile();
        } else {
            services.reconcile(key);
        }
    }

    /** True once the target has been listed and the loop mirrors; for tests and readiness. */
    public boolean mirroring() {
        return running && caches.remoteSynced();
    }

    /** True when no key waits or is being reconciled. */
    public boolean idle() {
        return loop.idle();
    }

    private void repair() {
        try {
            metrics.endpointRepairs.increment();
            liveness.poll(true);
            enqueueAll();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "the periodic repair failed; the next one tries again", e);
        }
    }

    private void flushStatus() {
        try {
            statusWriter.flush();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "cannot write the Link's status", e);
        }
    }

    /** Every key this link has anything to do with: exported Services, its mirrors, the status's entries. */
    void enqueueAll() {
        Set<String> keys = new HashSet<>(status.keys());
        keys.addAll(caches.remoteServiceKeys());
        for (Service mirror : caches.ownMirrors()) {
            keys.add(remoteKeyOf(mirror));
        }
        for (EndpointSlice slice : caches.ownSlices()) {
            keys.add(remoteKeyOf(slice));
        }
        keys.remove(null);
        keys.forEach(loop::add);
        loop.add(LINK_KEY);
    }

    /** The controller proper: each event becomes the keys of what it may change, and nothing else happens on the informers' threads. */
    private final class KeysOfEvents implements MirrorEvents {

        @Override
        public void remoteServiceChanged(Service service) {
            loop.add(Metadata.key(service));
        }

        @Override
        public void remoteSliceChanged(EndpointSlice slice) {
            String key = MirrorCaches.serviceKeyOf(slice);
            if (caches.exported(key)) {
                loop.add(key);
            }
        }

        @Override
        public void gatewayChanged(Service service) {
            loop.add(LINK_KEY);
        }

        @Override
        public void localMirrorChanged(HasMetadata object) {
            if (MirrorObjects.ownedBy(object.getMetadata(), settings.clusterName())) {
                String key = remoteKeyOf(object);
                if (key != null) {
                    loop.add(key);
                }
            }
        }

        @Override
        public void namespaceChanged(Namespace namespace) {
            String prefix = namespace.getMetadata().getName() + "/";
            for (String key : caches.remoteServiceKeys()) {
                if (key.startsWith(prefix)) {
                    loop.add(key);
                }
            }
        }

        @Override
        public void everything(Object changed) {
            enqueueAll();
        }
    }

    /** The remote Service a mirror (or its slice) stands for: {@code <ns>/<svc>} of {@code <ns>/<svc>-<cluster>}. */
    private String remoteKeyOf(HasMetadata mirror) {
        String name = mirror.getMetadata().getName();
        String suffix = "-" + settings.clusterName();
        if (!name.endsWith(suffix) || name.length() == suffix.length()) {
            return null;
        }
        return mirror.getMetadata().getNamespace() + "/" + name.substring(0, name.length() - suffix.length());
    }

    /** Stops the loop (letting a reconcile in progress finish), writes the status once more, stops the informers; the mirrors stay. */
    @Override
    public void close() {
        running = false;
        timers.shutdownNow();
        loop.close();
        flushStatus();
        watches.close();
    }
}
