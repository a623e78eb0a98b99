package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.desired.Gateways;
import dev.isthmus.mirror.desired.MirrorObjects;
import dev.isthmus.mirror.desired.PortAllocator;
import dev.isthmus.mirror.desired.PortClaim;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.link.LinkStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mirrors one Link's exported Services. Informer callbacks only turn events into keys (the remote
 * Service's {@code namespace/name}); one worker thread takes keys off a {@link WorkQueue} and
 * reconciles each level-based: desired objects from the caches through {@link MirrorObjects}, compared
 * with what exists, written only when they differ, and deleted only when they carry this link's
 * ownership labels. Nothing is reconciled before the target's informers have listed once, so a target
 * that cannot be reached leaves the mirrors as they are.
 */
public final class MirrorController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MirrorController.class.getName());
    /** The key of the Link-wide work: gateway addresses and the Ready condition. */
    static final String LINK_KEY = "@link";
    private static final String BY_SERVICE = "byService";
    private static final int MAX_RETRIES = 8;
    private static final Duration STATUS_FLUSH = Duration.ofSeconds(1);

    private final KubernetesClient local;
    private final KubernetesClient remote;
    private final Link link;
    private final LinkSettings settings;
    private final MirrorOptions options;
    private final MirrorMetrics metrics;
    private final LinkEvents events;
    private final MirrorStatus status;
    private final WorkQueue queue;
    private final LinkHealthPoller health;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    /** What this controller last wrote, newer than the caches until their watch catches up (read-your-writes). */
    private final Map<String, Service> writtenServices = new ConcurrentHashMap<>();
    private final Map<String, EndpointSlice> writtenSlices = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;
    private volatile boolean linkAlive = true;
    private volatile boolean running;
    private Thread worker;

    private SharedIndexInformer<Service> remoteServices;
    private SharedIndexInformer<EndpointSlice> remoteSlices;
    private SharedIndexInformer<Service> remoteGateway;
    private SharedIndexInformer<Service> localMirrors;
    /** Traffic-split apexes: their gateway ports are taken too (the split controller allocates from the same range). */
    private SharedIndexInformer<Service> apexes;
    private SharedIndexInformer<EndpointSlice> localSlices;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<EndpointSlice> gatewaySlices;

    public MirrorController(KubernetesClient local, KubernetesClient remote, Link link, MirrorOptions options,
            MirrorMetrics metrics) {
        this.local = local;
        this.remote = remote;
        this.link = link;
        this.settings = LinkSettings.of(link);
        this.options = options;
        this.metrics = metrics;
        this.events = new LinkEvents(local, link);
        this.status = new MirrorStatus(link.getStatus());
        this.queue = new WorkQueue(Names.mirrorController(settings.linkName()), Duration.ofMillis(50), Duration.ofSeconds(30));
        this.health = new LinkHealthPoller(settings.linkName(), options.gatewayAdminUrl(), this::gatewayAdminSlices);
        this.timers = Executors.newScheduledThreadPool(1, runnable -> {
            Thread thread = new Thread(runnable, Names.mirrorController(settings.linkName()) + "-timers");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts the informers, waits for the local ones to list, and starts the worker, which waits for
     * the target's. Returns without waiting for the target, which may be down.
     */
    public MirrorController start() {
        running = true;
        String cluster = settings.clusterName();
        localMirrors = inform(local.services().inAnyNamespace()
                .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").runnableInformer(0), this::onLocalMirror);
        apexes = inform(local.services().inAnyNamespace()
                .withLabel(Names.SPLIT_APEX_LABEL, "true").runnableInformer(0), apex -> {});
        localSlices = inform(local.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").withLabel(Names.CLUSTER_NAME_LABEL, cluster)
                .runnableInformer(0), this::onLocalMirror);
        namespaces = inform(local.namespaces().runnableInformer(0), this::onNamespace);
        // The gateway Service's slices say where the mirrors point; the admin Service's where /links is polled.
        gatewaySlices = inform(local.discovery().v1().endpointSlices().inNamespace(settings.namespace())
                .withLabelIn(Names.SERVICE_NAME_LABEL, Names.GATEWAY, Names.GATEWAY_ADMIN).runnableInformer(0),
                slice -> enqueueAll());
        if (!settings.selectsNothing()) {
            remoteServices = inform(remote.services().inAnyNamespace().withLabelSelector(settings.selector())
                    .runnableInformer(0), service -> queue.add(key(service)));
        }
        SharedIndexInformer<EndpointSlice> slices = remote.discovery().v1().endpointSlices().inAnyNamespace()
                .runnableInformer(0);
        slices.addIndexers(Map.of(BY_SERVICE, slice -> List.of(serviceKeyOf(slice))));
        remoteSlices = inform(slices, slice -> {
            String key = serviceKeyOf(slice);
            if (remoteServices != null && remoteServices.getIndexer().getByKey(key) != null) {
                queue.add(key);
            }
        });
        remoteGateway = inform(remote.services().inNamespace(settings.gatewayService().namespace)
                .withName(settings.gatewayService().name).runnableInformer(0), service -> queue.add(LINK_KEY));

        for (SharedIndexInformer<?> informer : informers) {
            informer.start();
        }
        awaitSynced(List.of(localMirrors, apexes, localSlices, namespaces, gatewaySlices), Duration.ofSeconds(30), "local");
        worker = new Thread(this::work, Names.mirrorController(settings.linkName()) + "-worker");
        worker.setDaemon(true);
        worker.start();
        return this;
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer, Consumer<T> onEvent) {
        // Keep retrying, also before the first list succeeded: a target that is down now may be up later.
        informer.exceptionHandler((started, error) -> {
            LOG.log(Level.FINE, "informer for " + informer.getApiTypeClass().getSimpleName() + " of link "
                    + settings.linkName() + " will retry: " + error);
            return running;
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

    private void awaitSynced(List<SharedIndexInformer<?>> list, Duration timeout, String what) {
        long until = System.nanoTime() + timeout.toNanos();
        while (running && list.stream().anyMatch(informer -> !informer.hasSynced())) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("the " + what + " API server's objects could not be listed within "
                        + timeout.toSeconds() + " s (see the warnings above)");
            }
            sleep(Duration.ofMillis(20));
        }
    }

    private void work() {
        try {
            while (running && !remoteSynced()) {
                sleep(Duration.ofMillis(50));
            }
            if (!running) {
                return;
            }
            LOG.info("link " + settings.linkName() + ": target cluster " + settings.clusterName()
                    + " listed; mirroring");
            pollHealth();
            enqueueAll();
            timers.scheduleWithFixedDelay(this::repair, options.repairPeriod().toMillis(),
                    options.repairPeriod().toMillis(), TimeUnit.MILLISECONDS);
            timers.scheduleWithFixedDelay(this::pollHealth, options.healthPeriod().toMillis(),
                    options.healthPeriod().toMillis(), TimeUnit.MILLISECONDS);
            long lastFlush = System.nanoTime();
            while (running) {
                String key = queue.poll(Duration.ofMillis(200));
                if (key != null) {
                    process(key);
                }
                if (key == null || System.nanoTime() - lastFlush > STATUS_FLUSH.toNanos()) {
                    flushStatus();
                    lastFlush = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "link " + settings.linkName() + ": the mirror worker stopped", e);
        }
    }

    private void process(String key) {
        try {
            metrics.reconciles.increment();
            reconcile(key);
            queue.forget(key);
        } catch (RuntimeException e) {
            metrics.reconcileErrors.increment();
            int failures = queue.addRateLimited(key);
            Level level = failures >= 3 ? Level.WARNING : Level.FINE;
            LOG.log(level, "link " + settings.linkName() + ": reconciling " + key + " failed (attempt " + failures
                    + "), will retry: " + e.getMessage());
            if (failures >= MAX_RETRIES) {
                queue.forget(key); // the periodic repair tries again
            }
            if (failures >= 3 && !LINK_KEY.equals(key)) {
                status.setService(key, "False", "Error", String.valueOf(e.getMessage()), null);
            }
        } finally {
            queue.done(key);
        }
    }

    private boolean remoteSynced() {
        return (remoteServices == null || remoteServices.hasSynced()) && remoteSlices.hasSynced()
                && remoteGateway.hasSynced();
    }

    /** True once the target has been listed and the worker mirrors; for tests and readiness. */
    public boolean mirroring() {
        return running && remoteSynced();
    }

    /** True when no key waits or is being reconciled. */
    public boolean idle() {
        return queue.idle();
    }

    private void repair() {
        metrics.endpointRepairs.increment();
        pollHealthStatus(true);
        enqueueAll();
    }

    void enqueueAll() {
        Set<String> keys = new HashSet<>(status.keys());
        if (remoteServices != null) {
            keys.addAll(remoteServices.getIndexer().listKeys());
        }
        for (Service mirror : localMirrors.getIndexer().list()) {
            if (MirrorObjects.ownedBy(mirror.getMetadata(), settings.clusterName())) {
                keys.add(remoteKeyOf(mirror.getMetadata().getNamespace(), mirror.getMetadata().getName()));
            }
        }
        for (EndpointSlice slice : localSlices.getIndexer().list()) {
            keys.add(remoteKeyOf(slice.getMetadata().getNamespace(), slice.getMetadata().getName()));
        }
        keys.remove(null);
        keys.forEach(queue::add);
        queue.add(LINK_KEY);
    }

    private void onLocalMirror(HasMetadata object) {
        if (MirrorObjects.ownedBy(object.getMetadata(), settings.clusterName())) {
            String key = remoteKeyOf(object.getMetadata().getNamespace(), object.getMetadata().getName());
            if (key != null) {
                queue.add(key);
            }
        }
    }

    private void onNamespace(Namespace namespace) {
        if (remoteServices == null) {
            return;
        }
        String prefix = namespace.getMetadata().getName() + "/";
        for (String key : remoteServices.getIndexer().listKeys()) {
            if (key.startsWith(prefix)) {
                queue.add(key);
            }
        }
    }

    private String remoteKeyOf(String namespace, String mirrorName) {
        String suffix = "-" + settings.clusterName();
        if (!mirrorName.endsWith(suffix) || mirrorName.length() == suffix.length()) {
            return null;
        }
        return namespace + "/" + mirrorName.substring(0, mirrorName.length() - suffix.length());
    }

    private static String key(HasMetadata object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    private static String serviceKeyOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(Names.SERVICE_NAME_LABEL);
        return slice.getMetadata().getNamespace() + "/" + (service == null ? "" : service);
    }

    // ---------------------------------------------------------------------------------------------

    void reconcile(String key) {
        if (LINK_KEY.equals(key)) {
            reconcileLink();
            return;
        }
        String[] parts = key.split("/", 2);
        String namespace = parts[0];
        String name = parts[1];
        String mirrorName = Names.mirrorName(name, settings.clusterName());
        String localKey = namespace + "/" + mirrorName;
        Service remoteService = remoteServices == null ? null : remoteServices.getIndexer().getByKey(key);
        LinkSpec.ObjectRef localRef = new LinkSpec.ObjectRef(namespace, mirrorName);

        if (remoteService == null) {
            if (deleteMirror(localKey)) {
                events.normal(LinkEvents.DELETED, "deleted " + localKey + ": " + key + " is no longer exported by "
                        + settings.clusterName());
                LOG.info("link " + settings.linkName() + ": deleted mirror " + localKey);
            }
            status.removeService(key);
            countMirrors();
            return;
        }
        Optional<String> problem = MirrorObjects.problem(remoteService, settings);
        if (problem.isPresent()) {
            deleteMirror(localKey);
            skip(key, "InvalidService", "cannot mirror " + key + ": " + problem.get(), null);
            return;
        }
        if (namespaces.getIndexer().getByKey(namespace) == null) {
            if (!settings.createNamespaces()) {
                skip(key, "MissingNamespace", "namespace " + namespace + " does not exist in this cluster;"
                        + " create it, or set spec.createNamespaces on Link " + settings.linkName(), null);
                return;
            }
            createNamespace(namespace);
        }

        Service actual = newest(owned(localMirrors.getIndexer().getByKey(localKey)), writtenServices.get(localKey));
        Service foreign = localMirrors.getIndexer().getByKey(localKey);
        if (actual == null && foreign != null) {
            skip(key, "Error", "Service " + localKey + " exists and is not a mirror of " + settings.clusterName()
                    + "; not touching it", localRef);
            return;
        }
        Map<Integer, Integer> previous = Map.of();
        if (actual != null) {
            String annotation = actual.getMetadata().getAnnotations() == null ? null
                    : actual.getMetadata().getAnnotations().get(Names.GATEWAY_PORTS_ANNOTATION);
            try {
                previous = GatewayPorts.parse(annotation);
            } catch (IllegalArgumentException e) {
                LOG.warning("link " + settings.linkName() + ": " + localKey + ": " + e.getMessage()
                        + "; allocating its ports again");
            }
        }
        PortClaim self = actual == null ? new PortClaim(localKey, null, null, Map.of())
                : new PortClaim(localKey, created(actual), actual.getMetadata().getUid(), previous);
        Map<Integer, Integer> ports;
        try {
            ports = PortAllocator.allocate(MirrorObjects.mirroredPorts(remoteService), previous,
                    PortAllocator.unavailableFor(self, claims()), options.portRange());
        } catch (PortAllocator.PortsExhaustedException e) {
            skip(key, "Error", e.getMessage(), localRef);
            return;
        }
        Service desired = MirrorObjects.desiredService(remoteService, settings, ports);
        if (actual == null) {
            Service created;
            try {
                created = local.services().inNamespace(namespace).resource(desired).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                    Service existing = local.services().inNamespace(namespace).withName(mirrorName).get();
                    if (existing != null && !MirrorObjects.ownedBy(existing.getMetadata(), settings.clusterName())) {
                        skip(key, "Error", "Service " + localKey + " exists and is not a mirror of "
                                + settings.clusterName() + "; not touching it", localRef);
                        return;
                    }
                    if (existing != null) {
                        writtenServices.put(localKey, existing);
                    }
                }
                throw e;
            }
            writtenServices.put(localKey, created);
            events.normal(LinkEvents.CREATED, "created " + localKey + " mirroring " + key + " of "
                    + settings.clusterName() + " on gateway ports " + GatewayPorts.format(ports));
            LOG.info("link " + settings.linkName() + ": created mirror " + localKey + " (gateway ports "
                    + GatewayPorts.format(ports) + ")");
        } else if (!MirrorObjects.sameService(desired, actual)) {
            Service update = new ServiceBuilder(actual)
                    .editMetadata().withLabels(desired.getMetadata().getLabels())
                    .withAnnotations(desired.getMetadata().getAnnotations()).endMetadata()
                    .editSpec().withType("ClusterIP").withSelector(null).withPorts(desired.getSpec().getPorts()).endSpec()
                    .build();
            writtenServices.put(localKey, local.services().inNamespace(namespace).resource(update).update());
        }

        boolean ready = linkAlive && Gateways.hasReadyEndpoints(
                remoteSlices.getIndexer().byIndex(BY_SERVICE, key));
        EndpointSlice desiredSlice = MirrorObjects.desiredSlice(desired,
                Gateways.localAddresses(gatewayServiceSlices()), ready, settings.clusterName());
        EndpointSlice actualSlice = newest(owned(localSlices.getIndexer().getByKey(localKey)), writtenSlices.get(localKey));
        if (actualSlice == null) {
            try {
                writtenSlices.put(localKey, local.discovery().v1().endpointSlices().inNamespace(namespace)
                        .resource(desiredSlice).create());
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                    EndpointSlice existing = local.discovery().v1().endpointSlices().inNamespace(namespace)
                            .withName(mirrorName).get();
                    if (existing != null && MirrorObjects.ownedBy(existing.getMetadata(), settings.clusterName())) {
                        writtenSlices.put(localKey, existing);
                    }
                }
                throw e;
            }
        } else if (!MirrorObjects.sameSlice(desiredSlice, actualSlice)) {
            EndpointSlice update = new EndpointSliceBuilder(actualSlice)
                    .editMetadata().withLabels(desiredSlice.getMetadata().getLabels()).endMetadata()
                    .withAddressType(desiredSlice.getAddressType())
                    .withEndpoints(desiredSlice.getEndpoints())
                    .withPorts(desiredSlice.getPorts())
                    .build();
            writtenSlices.put(localKey, local.discovery().v1().endpointSlices().inNamespace(namespace)
                    .resource(update).update());
        }
        status.setService(key, "True", MirrorStatus.MIRRORED, "mirrored as " + localKey + " on gateway ports "
                + GatewayPorts.format(ports), localRef);
        countMirrors();
    }

    /** Records why a Service is not mirrored; an Event only when the reason is new, so repairs do not spam. */
    private void skip(String key, String reason, String message, LinkSpec.ObjectRef localRef) {
        String before = status.reason(key);
        status.setService(key, "False", reason, message, localRef);
        if (!reason.equals(before)) {
            events.warning(LinkEvents.SKIPPED, message);
            LOG.warning("link " + settings.linkName() + ": " + message);
        }
    }

    private boolean deleteMirror(String localKey) {
        String[] parts = localKey.split("/", 2);
        boolean deleted = false;
        Service service = newest(owned(localMirrors.getIndexer().getByKey(localKey)), writtenServices.remove(localKey));
        if (service != null) {
            local.services().inNamespace(parts[0]).withName(parts[1]).delete();
            deleted = true;
        }
        EndpointSlice slice = newest(owned(localSlices.getIndexer().getByKey(localKey)), writtenSlices.remove(localKey));
        if (slice != null) {
            local.discovery().v1().endpointSlices().inNamespace(parts[0]).withName(parts[1]).delete();
            deleted = true;
        }
        return deleted;
    }

    private void createNamespace(String namespace) {
        try {
            local.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .withLabels(MirrorObjects.ownershipLabels(settings.clusterName())).endMetadata().build()).create();
            LOG.info("link " + settings.linkName() + ": created namespace " + namespace);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
    }

    private Collection<PortClaim> claims() {
        Map<String, PortClaim> claims = new HashMap<>();
        for (Service service : localMirrors.getIndexer().list()) {
            claims.put(key(service), claimOf(service, Names.GATEWAY_PORTS_ANNOTATION));
        }
        for (Service apex : apexes.getIndexer().list()) {
            claims.putIfAbsent(key(apex), claimOf(apex, Names.SPLIT_GATEWAY_PORTS_ANNOTATION));
        }
        writtenServices.forEach((localKey, written) -> {
            Service cached = localMirrors.getIndexer().getByKey(localKey);
            if (newest(cached, written) == written) {
                claims.put(localKey, claimOf(written, Names.GATEWAY_PORTS_ANNOTATION));
            }
        });
        return claims.values();
    }

    private static PortClaim claimOf(Service service, String portsAnnotation) {
        String annotation = service.getMetadata().getAnnotations() == null ? null
                : service.getMetadata().getAnnotations().get(portsAnnotation);
        Map<Integer, Integer> ports;
        try {
            ports = GatewayPorts.parse(annotation);
        } catch (IllegalArgumentException e) {
            ports = Map.of();
        }
        return new PortClaim(key(service), created(service), service.getMetadata().getUid(), ports);
    }

    private static Instant created(Service service) {
        String created = service.getMetadata().getCreationTimestamp();
        try {
            return created == null ? null : Instant.parse(created);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private <T extends HasMetadata> T owned(T object) {
        return object != null && MirrorObjects.ownedBy(object.getMetadata(), settings.clusterName()) ? object : null;
    }

    /** The later of a cached object and the one this controller last wrote (resource versions are etcd revisions). */
    private static <T extends HasMetadata> T newest(T cached, T written) {
        if (cached == null || written == null) {
            return cached != null ? cached : written;
        }
        try {
            long cachedVersion = Long.parseLong(cached.getMetadata().getResourceVersion());
            long writtenVersion = Long.parseLong(written.getMetadata().getResourceVersion());
            return writtenVersion > cachedVersion ? written : cached;
        } catch (NumberFormatException e) {
            return cached;
        }
    }

    private void countMirrors() {
        int count = 0;
        for (Service service : localMirrors.getIndexer().list()) {
            if (MirrorObjects.ownedBy(service.getMetadata(), settings.clusterName())) {
                count++;
            }
        }
        metrics.mirrorServices.set(count);
    }

    private void reconcileLink() {
        status.gatewayAddresses(Gateways.remoteAddresses(settings, remoteGateway.getIndexer()
                .getByKey(settings.gatewayService().namespace + "/" + settings.gatewayService().name)));
        boolean watching = (remoteServices == null || remoteServices.isWatching()) && remoteSlices.isWatching();
        if (settings.selectsNothing()) {
            status.ready(true, "NothingSelected", "spec.selector is empty, so no Service of "
                    + settings.clusterName() + " is mirrored");
        } else if (watching) {
            status.ready(true, "Mirroring", "watching " + settings.clusterName() + "'s exported Services");
        } else {
            status.ready(false, "TargetUnreachable", "the API server of " + settings.clusterName()
                    + " cannot be watched; mirrors are kept as they were and repaired when it is back");
        }
    }

    private void flushStatus() {
        LinkStatus changes = status.changes();
        if (changes == null) {
            return;
        }
        try {
            local.resources(Link.class).inNamespace(settings.namespace()).withName(settings.linkName())
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", changes)));
        } catch (KubernetesClientException e) {
            status.unwritten();
            LOG.warning("link " + settings.linkName() + ": cannot write the Link's status: " + e.getMessage());
        }
    }

    private Collection<EndpointSlice> gatewayAdminSlices() {
        return gatewaySlices.getIndexer().list();
    }

    private List<EndpointSlice> gatewayServiceSlices() {
        return gatewaySlices.getIndexer().list().stream()
                .filter(slice -> Names.GATEWAY.equals(slice.getMetadata().getLabels().get(Names.SERVICE_NAME_LABEL))).toList();
    }

    private void pollHealth() {
        try {
            pollHealthStatus(false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "link " + settings.linkName() + ": gateway health poll failed", e);
        }
    }

    private void pollHealthStatus(boolean force) {
        Optional<LinkHealth> answer = health.poll();
        // The gauge tells what the gateways say now; the mirrors' readiness keeps what they said last (below).
        metrics.gatewayAlive.set(answer.map(h -> h.alive() ? 1 : 0).orElse(0));
        if (answer.isEmpty()) {
            return;
        }
        LinkHealth current = answer.get();
        status.gateway(current, force);
        if (current.alive() != linkAlive) {
            linkAlive = current.alive();
            LOG.info("link " + settings.linkName() + ": the local gateways say the link is "
                    + (linkAlive ? "alive" : "dead" + (current.lastError() == null ? "" : " (" + current.lastError() + ")"))
                    + "; updating the readiness of every mirror");
            enqueueAll();
        }
    }

    /** Stops the worker and the informers; the mirrors stay as they are. */
    @Override
    public void close() {
        running = false;
        queue.close();
        timers.shutdownNow();
        if (worker != null) {
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushStatus();
        for (SharedIndexInformer<?> informer : informers) {
            informer.stop();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
