package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.MirrorObjects;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every write of one Link's controller to its own cluster: mirrors and their EndpointSlices by server-side
 * apply under the field manager {@value Names#FIELD_MANAGER}, so a write says what the mirror should be and
 * the API server merges it (no read-modify-write, no resource-version conflicts).
 *
 * <p>It remembers what it last wrote (read-your-writes), because the informers' caches show a write only when
 * the watch delivers it: until then the next reconcile would see the old object, allocate the gateway ports
 * of a mirror just written to another Service, and apply once more what was just applied.
 */
final class MirrorWrites {

    private final KubernetesClient local;
    private final LinkSettings settings;
    private final LinkLog log;
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private final Map<String, EndpointSlice> slices = new ConcurrentHashMap<>();

    MirrorWrites(KubernetesClient local, LinkSettings settings, LinkLog log) {
        this.local = local;
        this.settings = settings;
        this.log = log;
    }

    /** The newer of the cached mirror and the one last written, if this link owns it. */
    Service service(String localKey, Service cached) {
        return newest(owned(cached), services.get(localKey));
    }

    EndpointSlice slice(String localKey, EndpointSlice cached) {
        return newest(owned(cached), slices.get(localKey));
    }

    /** Mirrors written but not cached yet, or newer than the cache: their gateway ports are taken. */
    Map<String, Service> writtenServices() {
        return services;
    }

    /**
     * Applies {@code desired}. Applying a mirror that is new takes no field from anyone else: when another
     * manager's Service of that name appeared since the cache was read, the API server answers 409 and this
     * throws {@link ForeignObjectException} instead of taking the Service over.
     */
    Service apply(Service desired, boolean isNew) {
        String localKey = Metadata.key(desired);
        try {
            Service applied = isNew
                    ? local.services().resource(desired).fieldManager(Names.FIELD_MANAGER).serverSideApply()
                    : local.services().resource(desired).fieldManager(Names.FIELD_MANAGER).forceConflicts().serverSideApply();
            services.put(localKey, applied);
            return applied;
        } catch (KubernetesClientException e) {
            if (isNew && e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                Service existing = local.services().inNamespace(desired.getMetadata().getNamespace())
                        .withName(desired.getMetadata().getName()).get();
                if (existing != null && !owned(existing.getMetadata())) {
                    throw new ForeignObjectException(localKey);
                }
                if (existing != null) {
                    services.put(localKey, existing); // ours after all: the retry applies over it
                }
            }
            throw e;
        }
    }

    /** Applies the mirror's EndpointSlice; it is always ours to take, being named and labelled after our mirror. */
    EndpointSlice apply(EndpointSlice desired) {
        EndpointSlice applied = local.discovery().v1().endpointSlices().resource(desired).fieldManager(Names.FIELD_MANAGER)
                .forceConflicts().serverSideApply();
        slices.put(Metadata.key(desired), applied);
        return applied;
    }

    /** Deletes this link's mirror at {@code localKey} and its EndpointSlice; true when there was one to delete. */
    boolean delete(String localKey, Service cachedService, EndpointSlice cachedSlice) {
        String[] parts = localKey.split("/", 2);
        boolean deleted = false;
        if (newest(owned(cachedService), services.remove(localKey)) != null) {
            local.services().inNamespace(parts[0]).withName(parts[1]).delete();
            deleted = true;
        }
        if (newest(owned(cachedSlice), slices.remove(localKey)) != null) {
            local.discovery().v1().endpointSlices().inNamespace(parts[0]).withName(parts[1]).delete();
            deleted = true;
        }
        return deleted;
    }

    /**
     * Creates {@code namespace} with the ownership labels. Not an apply: a namespace someone created meanwhile
     * is theirs, and a 409 says exactly that.
     */
    void createNamespace(String namespace) {
        try {
            local.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .withLabels(MirrorObjects.ownershipLabels(settings.clusterName())).endMetadata().build()).create();
            log.info("created namespace " + namespace);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
    }

    private <T extends HasMetadata> T owned(T object) {
        return object != null && owned(object.getMetadata()) ? object : null;
    }

    private boolean owned(ObjectMeta meta) {
        return MirrorObjects.ownedBy(meta, settings.clusterName());
    }

    /** The later of a cached object and the one last written (resource versions are etcd revisions). */
    static <T extends HasMetadata> T newest(T cached, T written) {
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

    /** A Service of the mirror's name exists and is not this link's mirror: left alone. */
    static final class ForeignObjectException extends RuntimeException {
        ForeignObjectException(String localKey) {
            super(localKey, null, false, false);
        }
    }
}
