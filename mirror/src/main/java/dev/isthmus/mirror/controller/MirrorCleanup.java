package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.logging.Logger;

/**
 * Unlinking: deletes every mirrored Service and EndpointSlice of one target cluster, found by the two
 * ownership labels, and nothing else. Namespaces the mirror created are left, since other things may
 * have moved into them.
 */
public final class MirrorCleanup {

    private static final Logger LOG = Logger.getLogger(MirrorCleanup.class.getName());

    private MirrorCleanup() {}

    /** What was deleted. */
    public record Removed(List<String> services, List<String> endpointSlices) {}

    public static Removed unlink(KubernetesClient local, String clusterName) {
        List<Service> services = local.services().inAnyNamespace()
                .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").withLabel(Names.CLUSTER_NAME_LABEL, clusterName)
                .list().getItems();
        List<EndpointSlice> slices = local.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").withLabel(Names.CLUSTER_NAME_LABEL, clusterName)
                .list().getItems();
        for (Service service : services) {
            local.services().inNamespace(service.getMetadata().getNamespace()).withName(service.getMetadata().getName())
                    .delete();
        }
        for (EndpointSlice slice : slices) {
            local.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
                    .withName(slice.getMetadata().getName()).delete();
        }
        List<String> serviceNames = services.stream()
                .map(Metadata::key).toList();
        List<String> sliceNames = slices.stream()
                .map(Metadata::key).toList();
        LOG.info("unlinked " + clusterName + ": deleted " + serviceNames.size() + " mirrored Services and "
                + sliceNames.size() + " EndpointSlices");
        return new Removed(serviceNames, sliceNames);
    }
}
