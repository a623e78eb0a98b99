package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.MirrorObjects;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.loop.Watches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What one Link's controller knows of both clusters: its informers, created here and wired to
 * {@link MirrorEvents} (the controller turns them into keys and nothing else), and the lookups the reconcilers make in
 * their caches. Reading only; nothing here writes.
 */
final class MirrorCaches {

    private static final String BY_SERVICE = "byService";

    private final LinkSettings settings;
    /** Null when the Link selects nothing: then no remote Service is watched at all. */
    private final SharedIndexInformer<Service> remoteServices;
    private final SharedIndexInformer<EndpointSlice> remoteSlices;
    private final SharedIndexInformer<Service> remoteGateway;
    private final SharedIndexInformer<Service> localMirrors;
    /** Traffic-split apexes: their gateway ports are taken too (the split controller allocates from the same range). */
    private final SharedIndexInformer<Service> apexes;
    private final SharedIndexInformer<EndpointSlice> localSlices;
    private final SharedIndexInformer<Namespace> namespaces;
    private final SharedIndexInformer<EndpointSlice> gatewaySlices;

    MirrorCaches(KubernetesClient local, KubernetesClient remote, LinkSettings settings, Watches watches, MirrorEvents events) {
        this.settings = settings;
        String cluster = settings.clusterName();
        localMirrors = watches.watch(local.services().inAnyNamespace()
                .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").runnableInformer(0), events::localMirrorChanged);
        apexes = watches.watch(local.services().inAnyNamespace()
                .withLabel(Names.SPLIT_APEX_LABEL, "true").runnableInformer(0), (Consumer<Service>) apex -> {});
        localSlices = watches.watch(local.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").withLabel(Names.CLUSTER_NAME_LABEL, cluster)
                .runnableInformer(0), events::localMirrorChanged);
        namespaces = watches.watch(local.namespaces().runnableInformer(0), events::namespaceChanged);
        // The gateway Service's slices say where the mirrors point; the admin Service's where /links is polled.
        gatewaySlices = watches.watch(local.discovery().v1().endpointSlices().inNamespace(settings.namespace())
                .withLabelIn(Names.SERVICE_NAME_LABEL, Names.GATEWAY, Names.GATEWAY_ADMIN).runnableInformer(0),
                events::everything);
        remoteServices = settings.selectsNothing() ? null : watches.watch(remote.services().inAnyNamespace()
                .withLabelSelector(settings.selector()).runnableInformer(0), events::remoteServiceChanged);
        SharedIndexInformer<EndpointSlice> slices = remote.discovery().v1().endpointSlices().inAnyNamespace()
                .runnableInformer(0);
        slices.addIndexers(Map.of(BY_SERVICE, slice -> List.of(serviceKeyOf(slice))));
        remoteSlices = watches.watch(slices, events::remoteSliceChanged);
        remoteGateway = watches.watch(remote.services().inNamespace(settings.gatewayService().namespace)
                .withName(settings.gatewayService().name).runnableInformer(0), events::gatewayChanged);
    }

    List<SharedIndexInformer<?>> local() {
        return List.of(localMirrors, apexes, localSlices, namespaces, gatewaySlices);
    }

    boolean remoteSynced() {
        return (remoteServices == null || remoteServices.hasSynced()) && remoteSlices.hasSynced() && remoteGateway.hasSynced();
    }

    /** Whether the target's watches are up now (not only listed once): the Link's Ready condition. */
    boolean remoteWatching() {
        return (remoteServices == null || remoteServices.isWatching()) && remoteSlices.isWatching();
    }

    /** The exported remote Service {@code namespace/name}, or null when it is not (or no longer) exported. */
    Service remoteService(String key) {
        return remoteServices == null ? null : remoteServices.getIndexer().getByKey(key);
    }

    boolean exported(String key) {
        return remoteService(key) != null;
    }

    List<String> remoteServiceKeys() {
        return remoteServices == null ? List.of() : remoteServices.getIndexer().listKeys();
    }

    List<EndpointSlice> remoteSlicesOf(String serviceKey) {
        return remoteSlices.getIndexer().byIndex(BY_SERVICE, serviceKey);
    }

    Service remoteGateway() {
        return remoteGateway.getIndexer().getByKey(settings.gatewayService().namespace + "/" + settings.gatewayService().name);
    }

    /** The local Service at {@code localKey}, this link's mirror or not. */
    Service localService(String localKey) {
        return localMirrors.getIndexer().getByKey(localKey);
    }

    EndpointSlice localSlice(String localKey) {
        return localSlices.getIndexer().getByKey(localKey);
    }

    /** Every mirrored Service of the cluster, of any link: they all hold gateway ports. */
    List<Service> mirrors() {
        return localMirrors.getIndexer().list();
    }

    List<Service> ownMirrors() {
        return mirrors().stream().filter(this::owned).toList();
    }

    List<EndpointSlice> ownSlices() {
        return localSlices.getIndexer().list();
    }

    List<Service> apexes() {
        return apexes.getIndexer().list();
    }

    boolean namespaceExists(String namespace) {
        return namespaces.getIndexer().getByKey(namespace) != null;
    }

    /** The slices of the gateway Service and of its admin Service, for the link's health poller. */
    Collection<EndpointSlice> gatewaySlices() {
        return gatewaySlices.getIndexer().list();
    }

    /** The slices of the gateway Service alone: the addresses the mirrors point at. */
    Collection<EndpointSlice> gatewayServiceSlices() {
        return gatewaySlices.getIndexer().list().stream()
                .filter(slice -> Names.GATEWAY.equals(slice.getMetadata().getLabels().get(Names.SERVICE_NAME_LABEL))).toList();
    }

    boolean owned(HasMetadata object) {
        return object != null && MirrorObjects.ownedBy(object.getMetadata(), settings.clusterName());
    }

    static String serviceKeyOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(Names.SERVICE_NAME_LABEL);
        return slice.getMetadata().getNamespace() + "/" + (service == null ? "" : service);
    }
}
