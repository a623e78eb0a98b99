package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.desired.Gateways;
import dev.isthmus.mirror.desired.MirrorObjects;
import dev.isthmus.mirror.desired.PortAllocator;
import dev.isthmus.mirror.desired.PortClaim;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.link.LinkSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Reconciles one remote Service ({@code namespace/name}) of one Link, level-based: the mirror and its
 * EndpointSlice that should exist, from the caches through {@link MirrorObjects}, compared with what exists,
 * applied only when they differ, deleted only when they carry this link's ownership labels. What happened
 * goes to the Link's status, and to an Event when it is news.
 */
final class ServiceReconciler {

    private final LinkSettings settings;
    private final MirrorOptions options;
    private final MirrorCaches caches;
    private final MirrorWrites writes;
    private final PortClaims claims;
    private final MirrorStatus status;
    private final LinkEvents events;
    private final MirrorMetrics metrics;
    private final BooleanSupplier linkAlive;
    private final LinkLog log;

    ServiceReconciler(LinkSettings settings, MirrorOptions options, MirrorCaches caches, MirrorWrites writes,
            MirrorStatus status, LinkEvents events, MirrorMetrics metrics, BooleanSupplier linkAlive, LinkLog log) {
        this.settings = settings;
        this.options = options;
        this.caches = caches;
        this.writes = writes;
        this.claims = new PortClaims(caches, writes);
        this.status = status;
        this.events = events;
        this.metrics = metrics;
        this.linkAlive = linkAlive;
        this.log = log;
    }

    void reconcile(String key) {
        String[] parts = key.split("/", 2);
        String namespace = parts[0];
        String mirrorName = Names.mirrorName(parts[1], settings.clusterName());
        String localKey = namespace + "/" + mirrorName;
        LinkSpec.ObjectRef localRef = new LinkSpec.ObjectRef(namespace, mirrorName);
        Service remoteService = caches.remoteService(key);

        if (remoteService == null) {
            if (writes.delete(localKey, caches.localService(localKey), caches.localSlice(localKey))) {
                events.normal(LinkEvents.DELETED, "deleted " + localKey + ": " + key + " is no longer exported by "
                        + settings.clusterName());
                log.info("deleted mirror " + localKey);
            }
            status.removeService(key);
            countMirrors();
            return;
        }
        Optional<String> problem = MirrorObjects.problem(remoteService, settings);
        if (problem.isPresent()) {
            writes.delete(localKey, caches.localService(localKey), caches.localSlice(localKey));
            skip(key, "InvalidService", "cannot mirror " + key + ": " + problem.get(), null);
            return;
        }
        if (!caches.namespaceExists(namespace)) {
            if (!settings.createNamespaces()) {
                skip(key, "MissingNamespace", "namespace " + namespace + " does not exist in this cluster;"
                        + " create it, or set spec.createNamespaces on Link " + settings.linkName(), null);
                return;
            }
            writes.createNamespace(namespace);
        }

        Service cached = caches.localService(localKey);
        Service actual = writes.service(localKey, cached);
        if (actual == null && cached != null) {
            skipForeign(key, localKey, localRef);
            return;
        }
        Map<Integer, Integer> ports;
        try {
            ports = ports(remoteService, localKey, actual);
        } catch (PortAllocator.PortsExhaustedException e) {
            skip(key, "Error", e.getMessage(), localRef);
            return;
        }
        Service desired = MirrorObjects.desiredService(remoteService, settings, ports);
        if (actual == null) {
            try {
                writes.apply(desired, true);
            } catch (MirrorWrites.ForeignObjectException e) {
                skipForeign(key, localKey, localRef);
                return;
            }
            events.normal(LinkEvents.CREATED, "created " + localKey + " mirroring " + key + " of "
                    + settings.clusterName() + " on gateway ports " + GatewayPorts.format(ports));
            log.info("created mirror " + localKey + " (gateway ports " + GatewayPorts.format(ports) + ")");
        } else if (!MirrorObjects.sameService(desired, actual)) {
            writes.apply(desired, false);
        }

        boolean ready = linkAlive.getAsBoolean() && Gateways.hasReadyEndpoints(caches.remoteSlicesOf(key));
        EndpointSlice desiredSlice = MirrorObjects.desiredSlice(desired, Gateways.localAddresses(caches.gatewayServiceSlices()),
                ready, settings.clusterName());
        EndpointSlice actualSlice = writes.slice(localKey, caches.localSlice(localKey));
        if (actualSlice == null || !MirrorObjects.sameSlice(desiredSlice, actualSlice)) {
            writes.apply(desiredSlice);
        }
        status.setService(key, "True", MirrorStatus.MIRRORED, "mirrored as " + localKey + " on gateway ports "
                + GatewayPorts.format(ports), localRef);
        countMirrors();
    }

    /** The mirror's gateway ports: those it holds, unless an older claim takes one, and the lowest free for the rest. */
    private Map<Integer, Integer> ports(Service remoteService, String localKey, Service actual) {
        Map<Integer, Integer> previous = Map.of();
        if (actual != null) {
            try {
                previous = GatewayPorts.parse(Metadata.annotations(actual).get(Names.GATEWAY_PORTS_ANNOTATION));
            } catch (IllegalArgumentException e) {
                log.warning(localKey + ": " + e.getMessage() + "; allocating its ports again");
            }
        }
        PortClaim self = actual == null ? new PortClaim(localKey, null, null, Map.of())
                : new PortClaim(localKey, Metadata.created(actual), actual.getMetadata().getUid(), previous);
        return PortAllocator.allocate(MirrorObjects.mirroredPorts(remoteService), previous,
                PortAllocator.unavailableFor(self, claims.all()), options.portRange());
    }

    /** A reconcile that failed repeatedly: the Service's condition says so (the loop has logged it). */
    void failed(String key, RuntimeException error) {
        status.setService(key, "False", "Error", String.valueOf(error.getMessage()), null);
    }

    private void skipForeign(String key, String localKey, LinkSpec.ObjectRef localRef) {
        skip(key, "Error", "Service " + localKey + " exists and is not a mirror of " + settings.clusterName()
                + "; not touching it", localRef);
    }

    /** Records why a Service is not mirrored; an Event only when the reason is new, so repairs do not spam. */
    private void skip(String key, String reason, String message, LinkSpec.ObjectRef localRef) {
        String before = status.reason(key);
        status.setService(key, "False", reason, message, localRef);
        if (!reason.equals(before)) {
            events.warning(LinkEvents.SKIPPED, message);
            log.warning(message);
        }
    }

    private void countMirrors() {
        metrics.mirrorServices.set(caches.ownMirrors().size());
    }
}
