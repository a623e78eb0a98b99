package dev.isthmus.mirror.routes;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.RouteSource;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.loop.ReconcileLoop;
import dev.isthmus.mirror.loop.Watches;
import dev.isthmus.mirror.routes.RouteMapping.Skipped;
import dev.isthmus.mirror.split.TrafficSplit;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's routes from the Kubernetes API of its own cluster ({@code routes: {kubernetes: …}}):
 * informers on Services, EndpointSlices, Links and TrafficSplits. The mirror's controller shape with one
 * key: every change queues the key {@code routes} on a {@link ReconcileLoop} a short {@code debounce}
 * later, so a burst of events (a rollout, a relist) makes one rebuild of the whole table, and a table is
 * delivered only when it differs from the last ({@link RouteTable#equals}). {@link RouteMapping} says what
 * maps to what.
 *
 * <p>While the API server is unreachable the informers keep their caches and retry; nothing changes, so
 * nothing is delivered and the gateway routes with the last table. The first table waits for the caches
 * to sync; a missing CRD (Links or TrafficSplits not installed) delays it by at most {@code SYNC_GRACE}.
 */
public final class KubernetesRouteSource implements RouteSource {

    public static final Duration DEBOUNCE = Duration.ofMillis(100);
    static final Duration SYNC_GRACE = Duration.ofSeconds(10);

    private static final Logger log = Logger.getLogger(KubernetesRouteSource.class.getName());
    /** The whole table is one key: a rebuild maps every object, because routes depend on each other (ports, links). */
    private static final String TABLE = "routes";

    private final KubernetesClient client;
    private final String clusterDomain;
    private final ExportSelector selector;
    private final MeterRegistry registry;
    private final Duration debounce;
    /** A rebuild cannot fail in a way a retry mends (the caches are what they are), so it keeps the last table instead. */
    private final ReconcileLoop loop = new ReconcileLoop("isthmus-kubernetes-routes", Duration.ofSeconds(1),
            Duration.ofSeconds(30), key -> rebuild());
    private final Watches watches = new Watches("the Kubernetes route source");
    private final AtomicInteger skippedNow = new AtomicInteger();

    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Link> links;
    private SharedIndexInformer<TrafficSplit> splits;
    private Consumer<RouteTable> listener;
    private volatile boolean ready;
    private boolean closed;
    private volatile boolean failing;
    private RouteTable delivered;
    private Set<Skipped> reported = Set.of();

    /**
     * @param client a client of the gateway's own cluster; the caller closes it after this source
     * @param clusterDomain the local cluster's domain, {@code cluster.local} by default
     * @param registry where the counts of tables and skipped objects go
     */
    public KubernetesRouteSource(KubernetesClient client, String clusterDomain, ExportSelector selector, MeterRegistry registry,
            Duration debounce) {
        this.client = requireNonNull(client, "client");
        this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
        this.selector = requireNonNull(selector, "selector");
        this.registry = requireNonNull(registry, "registry");
        this.debounce = requireNonNull(debounce, "debounce");
        Gauge.builder("isthmus.routes.kubernetes.skipped.current", skippedNow, AtomicInteger::get)
                .description("Objects (or ports of them) the last Kubernetes route table left out").register(registry);
    }

    @Override
    public synchronized void start(Consumer<RouteTable> listener) {
        this.listener = requireNonNull(listener, "listener");
        services = informer(client.services().inAnyNamespace().runnableInformer(0), "Services");
        slices = informer(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0), "EndpointSlices");
        links = informer(client.resources(Link.class).inNamespace(Names.MULTICLUSTER_NAMESPACE).runnableInformer(0), "Links");
        splits = informer(client.resources(TrafficSplit.class).inAnyNamespace().runnableInformer(0), "TrafficSplits");
        loop.start();
        CompletableFuture<Void> all = watches.start();
        all.thenRun(() -> synced("informers synced"));
        CompletableFuture.allOf(services.start().toCompletableFuture(), slices.start().toCompletableFuture())
                .thenRunAsync(() -> {
                    if (!all.isDone()) {
                        log.warning(() -> "after " + SYNC_GRACE.toSeconds() + " s, " + (links.hasSynced() ? "" : "Links ")
                                + (splits.hasSynced() ? "" : "TrafficSplits ") + "have not synced (is the CRD installed, may"
                                + " the gateway list them?); routing without them until they do");
                        synced("Services and EndpointSlices synced");
                    }
                }, CompletableFuture.delayedExecutor(SYNC_GRACE.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The objects the last table left out, and why; for tests and diagnostics. */
    public synchronized List<Skipped> skipped() {
        return List.copyOf(reported);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        loop.close();
        watches.close();
    }

    private <T> SharedIndexInformer<T> informer(SharedIndexInformer<T> informer, String what) {
        watches.watch(informer, this::changed);
        // Retry whatever went wrong (the API server down, a CRD missing): the caches stay as they were.
        informer.exceptionHandler((started, error) -> {
            if (!failing) {
                failing = true;
                log.warning(() -> "watching " + what + " failed, retrying; routing with the last table meanwhile: " + error);
            } else {
                log.log(Level.FINE, "watching " + what + " failed again", error);
            }
            return true;
        });
        return informer;
    }

    private synchronized void synced(String why) {
        if (!ready && !closed) {
            ready = true;
            log.info(() -> why + "; building the first route table");
            loop.add(TABLE);
        }
    }

    private void changed() {
        if (failing) {
            failing = false;
            log.info("watching the Kubernetes API again");
        }
        if (ready) {
            loop.addDebounced(TABLE, debounce);
        }
    }

    private void rebuild() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        RouteMapping.Result result;
        try {
            result = RouteMapping.map(new ClusterObjects(services.getStore().list(), slices.getStore().list(),
                    links.hasSynced() ? links.getStore().list() : List.of(),
                    splits.hasSynced() ? splits.getStore().list() : List.of()), clusterDomain, selector);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "cannot build a route table from the cluster's objects; keeping the last one", e);
            return;
        }
        report(result.skipped());
        if (result.table().equals(delivered)) {
            return;
        }
        delivered = result.table();
        Counter.builder("isthmus.routes.kubernetes.tables").description("Route tables delivered to the gateway")
                .register(registry).increment();
        log.info(() -> "routes from Kubernetes: " + result.table().size() + " exported service port(s), "
                + result.table().outboundRoutes().size() + " outbound route(s)");
        try {
            listener.accept(result.table());
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "the gateway refused a route table", e);
        }
    }

    /** Logs each left-out object once, when it is first left out, and counts it. */
    private void report(List<Skipped> skipped) {
        Set<Skipped> now = new LinkedHashSet<>(skipped);
        for (Skipped entry : now) {
            if (!reported.contains(entry)) {
                log.warning(() -> "left out of the routes: " + entry);
                Counter.builder("isthmus.routes.kubernetes.skipped").description("Objects left out of a route table, when first left out")
                        .tag("kind", entry.kind()).register(registry).increment();
            }
        }
        synchronized (this) {
            reported = now;
        }
        skippedNow.set(now.size());
    }
}
