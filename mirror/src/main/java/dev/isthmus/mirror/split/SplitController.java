package dev.isthmus.mirror.split;

import static dev.isthmus.mirror.kube.Metadata.key;
import static java.util.Objects.requireNonNull;

import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.loop.ReconcileLoop;
import dev.isthmus.mirror.loop.Watches;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Gives every TrafficSplit of the cluster its apex: the Service {@code spec.service} (no selector, our label,
 * a gateway port per port) and an EndpointSlice to the local gateway's ready addresses, so clients calling the
 * apex reach this cluster's gateways, whose route source splits the traffic. Refuses, on the split's status,
 * an apex name taken by a Service it did not create. Deletes an apex whose split is gone.
 *
 * <p>It runs inside every gateway whose routes come from Kubernetes; the Lease {@code isthmus-split} makes one
 * of them the writer. The mirror's controller shape with one key: informer events only queue the key
 * {@code splits} (debounced, so a burst makes one pass) on a {@link ReconcileLoop}; a pass plans every split
 * from the caches ({@link SplitPlan}), writes what differs by server-side apply, and the loop retries it
 * with backoff when a write failed.
 */
public final class SplitController implements AutoCloseable {

    static final Duration DEBOUNCE = Duration.ofMillis(200);
    static final Duration RESYNC = Duration.ofMinutes(5);
    /** The whole world is one key: a pass plans every split, because splits compete for apex names and ports. */
    private static final String PASS = "splits";
    private static final Logger log = Logger.getLogger(SplitController.class.getName());

    private final KubernetesClient client;
    private final String identity;
    private final PortRange range;
    private final Clock clock;
    /** The leader election and the resync timer; the passes run on {@link #loop}. */
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "isthmus-split-controller");
        thread.setDaemon(true);
        return thread;
    });
    private final ReconcileLoop loop = new ReconcileLoop("isthmus-split-controller", Duration.ofSeconds(1),
            Duration.ofSeconds(30), key -> pass());
    private final Watches watches = new Watches("the split controller");

    private SharedIndexInformer<TrafficSplit> splits;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> gatewaySlices;
    private SharedIndexInformer<EndpointSlice> apexSlices;
    private CompletableFuture<?> election;
    private volatile boolean leading;
    private boolean closed;

    /**
     * @param client a client of the gateway's own cluster; the caller closes it after this controller
     * @param identity this replica's name in the Lease: the pod name ({@code $HOSTNAME})
     */
    public SplitController(KubernetesClient client, String identity, PortRange range, Clock clock) {
        this.client = requireNonNull(client, "client");
        this.identity = requireNonNull(identity, "identity");
        this.range = requireNonNull(range, "range");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Starts the informers, then campaigns for the Lease; passes run only while this replica holds it. */
    public synchronized SplitController start() {
        splits = watches.watch(client.resources(TrafficSplit.class).inAnyNamespace().runnableInformer(0), this::changed);
        services = watches.watch(client.services().inAnyNamespace().runnableInformer(0), this::changed);
        gatewaySlices = watches.watch(client.discovery().v1().endpointSlices().inNamespace(Names.MULTICLUSTER_NAMESPACE)
                .withLabel(Names.SERVICE_NAME_LABEL, Names.GATEWAY).runnableInformer(0), this::changed);
        apexSlices = watches.watch(client.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(Names.MANAGED_BY_LABEL, Names.SPLIT_CONTROLLER).runnableInformer(0), this::changed);
        loop.start();
        watches.start().thenRun(this::campaign);
        return this;
    }

    /** Whether this replica holds the Lease now. */
    public boolean leading() {
        return leading;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (election != null) {
                election.cancel(true); // releases the Lease, so another replica takes over at once
            }
        }
        loop.close();
        watches.close();
        timers.shutdownNow();
    }

    private synchronized void campaign() {
        if (closed) {
            return;
        }
        election = new LeaderElectorBuilder(client, timers).withConfig(new LeaderElectionConfigBuilder()
                .withName(Names.SPLIT_LEASE)
                .withLock(new LeaseLock(Names.MULTICLUSTER_NAMESPACE, Names.SPLIT_LEASE, identity))
                .withLeaseDuration(Duration.ofSeconds(15))
                .withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofSeconds(2))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    log.info(() -> identity + " leads the split controller (Lease " + Names.SPLIT_LEASE + ")");
                    leading = true;
                    changed();
                }, () -> {
                    leading = false;
                    log.info(() -> identity + " no longer leads the split controller");
                }, leader -> log.fine(() -> "split controller leader: " + leader)))
                .build()).build().start();
        timers.scheduleWithFixedDelay(this::changed, RESYNC.toMillis(), RESYNC.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void changed() {
        if (leading) {
            loop.addDebounced(PASS, DEBOUNCE);
        }
    }

    /** Plans every split and writes what differs; throws, for the loop to retry, when a write failed. */
    private void pass() {
        if (!leading) {
            return;
        }
        boolean failed = false;
        List<Service> allServices = services.getStore().list();
        List<EndpointSlice> gateway = gatewaySlices.getStore().list().stream()
                .filter(slice -> Names.MULTICLUSTER_NAMESPACE.equals(slice.getMetadata().getNamespace())).toList();
        Set<String> wanted = new HashSet<>();
        for (TrafficSplit split : splits.getStore().list()) {
            try {
                SplitPlan.Outcome outcome = SplitPlan.plan(split, allServices, gateway, range);
                if (outcome instanceof SplitPlan.Accept accept) {
                    wanted.add(key(accept.apex()));
                    apply(accept);
                    status(split, "True", SplitPlan.ACCEPTED, accept.message());
                } else if (outcome instanceof SplitPlan.Refuse refuse) {
                    status(split, "False", refuse.reason(), refuse.message());
                }
            } catch (KubernetesClientException e) {
                failed = true;
                log.warning(() -> "TrafficSplit " + key(split) + ": " + e.getMessage() + "; retrying");
            }
        }
        failed |= deleteOrphans(allServices, wanted);
        if (failed) {
            throw new IllegalStateException("some TrafficSplits' objects could not be written (see the warnings above)");
        }
    }

    /** Writes the apex Service and its EndpointSlice where the cache differs from the plan. */
    private void apply(SplitPlan.Accept accept) {
        Service current = services.getStore().getByKey(key(accept.apex()));
        if (current == null || !sameApex(current, accept.apex())) {
            client.services().resource(accept.apex()).fieldManager(Names.FIELD_MANAGER).forceConflicts().serverSideApply();
            log.info(() -> (current == null ? "created" : "updated") + " apex Service " + key(accept.apex()));
        }
        EndpointSlice slice = apexSlices.getStore().getByKey(key(accept.slice()));
        if (slice == null || !Objects.equals(slice.getEndpoints(), accept.slice().getEndpoints())
                || !Objects.equals(slice.getPorts(), accept.slice().getPorts())) {
            client.discovery().v1().endpointSlices().resource(accept.slice()).fieldManager(Names.FIELD_MANAGER).forceConflicts()
                    .serverSideApply();
        }
    }

    private static boolean sameApex(Service current, Service desired) {
        Map<String, String> labels = current.getMetadata().getLabels();
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        return labels != null && labels.entrySet().containsAll(desired.getMetadata().getLabels().entrySet())
                && annotations != null && annotations.entrySet().containsAll(desired.getMetadata().getAnnotations().entrySet())
                && current.getSpec() != null && Objects.equals(current.getSpec().getPorts(), desired.getSpec().getPorts());
    }

    /** Sets the split's Accepted condition when it changed; the transition time moves only with the status. */
    private void status(TrafficSplit split, String status, String reason, String message) {
        TrafficSplitStatus.Condition previous = split.getStatus() == null || split.getStatus().conditions == null ? null
                : split.getStatus().conditions.stream().filter(c -> SplitPlan.ACCEPTED.equals(c.type)).findFirst().orElse(null);
        Long generation = split.getMetadata().getGeneration();
        if (previous != null && status.equals(previous.status) && reason.equals(previous.reason) && message.equals(previous.message)
                && Objects.equals(generation, previous.observedGeneration)) {
            return;
        }
        TrafficSplitStatus.Condition condition = new TrafficSplitStatus.Condition();
        condition.type = SplitPlan.ACCEPTED;
        condition.status = status;
        condition.reason = reason;
        condition.message = message;
        condition.observedGeneration = generation;
        condition.lastTransitionTime = previous != null && status.equals(previous.status) && previous.lastTransitionTime != null
                ? previous.lastTransitionTime : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        TrafficSplit patch = new TrafficSplit();
        patch.setMetadata(split.getMetadata());
        TrafficSplitStatus next = new TrafficSplitStatus();
        next.conditions = new ArrayList<>(List.of(condition));
        patch.setStatus(next);
        client.resources(TrafficSplit.class).resource(patch).patchStatus();
        if ("False".equals(status)) {
            log.warning(() -> "TrafficSplit " + key(split) + " refused (" + reason + "): " + message);
        } else {
            log.info(() -> "TrafficSplit " + key(split) + " accepted: " + message);
        }
    }

    /** Deletes apexes, and their slices, that no split wants any more; only objects carrying our label. */
    private boolean deleteOrphans(List<Service> allServices, Set<String> wanted) {
        boolean failed = false;
        for (Service service : allServices) {
            if (Apex.isOurs(service) && !wanted.contains(key(service)) && !ownedByExistingSplit(service)) {
                try {
                    client.services().resource(service).delete();
                    log.info(() -> "deleted apex Service " + key(service) + ": " + whyOrphaned(service));
                } catch (KubernetesClientException e) {
                    failed = true;
                    log.warning(() -> "cannot delete apex Service " + key(service) + ": " + e.getMessage() + "; retrying");
                }
            }
        }
        for (EndpointSlice slice : apexSlices.getStore().list()) {
            String service = slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get(Names.SERVICE_NAME_LABEL);
            String apexKey = slice.getMetadata().getNamespace() + "/" + service;
            if (!wanted.contains(apexKey) && services.getStore().getByKey(apexKey) == null) {
                try {
                    client.discovery().v1().endpointSlices().resource(slice).delete();
                } catch (KubernetesClientException e) {
                    failed = true;
                }
            }
        }
        return failed;
    }

    /**
     * An apex whose split still exists but was refused for another reason (its first backend went away) is
     * kept: deleting it would break clients for what may be a moment. Only a split that is gone, or that names
     * another apex now, lets its apex go.
     */
    private boolean ownedByExistingSplit(Service apex) {
        String owner = apex.getMetadata().getAnnotations() == null ? null : apex.getMetadata().getAnnotations().get(Apex.SPLIT_ANNOTATION);
        TrafficSplit split = owner == null ? null : splits.getStore().getByKey(apex.getMetadata().getNamespace() + "/" + owner);
        return split != null && split.getSpec() != null && apex.getMetadata().getName().equals(split.getSpec().service);
    }

    /** What left {@code apex} without a split: its split went away, or now names another apex. */
    private String whyOrphaned(Service apex) {
        String owner = apex.getMetadata().getAnnotations() == null ? null : apex.getMetadata().getAnnotations().get(Apex.SPLIT_ANNOTATION);
        if (owner == null) {
            return "no TrafficSplit names it";
        }
        String splitKey = apex.getMetadata().getNamespace() + "/" + owner;
        TrafficSplit split = splits.getStore().getByKey(splitKey);
        if (split == null) {
            return "its TrafficSplit " + splitKey + " is gone";
        }
        String now = split.getSpec() == null ? null : split.getSpec().service;
        return "its TrafficSplit " + splitKey + " now names " + (now == null ? "no apex" : "apex " + now);
    }

}
