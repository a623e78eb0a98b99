package dev.isthmus.mirror.split;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;

/**
 * The apex Service of a traffic split, as Isthmus creates it: no selector, labelled
 * {@code split.isthmus.dev/apex: "true"}, annotated with the gateway port of each of its ports and with
 * the split it belongs to. The route source and the split controller both decide "is this apex ours"
 * here, so they cannot disagree.
 */
public final class Apex {

    /** {@code "9898=14002"}: the apex's service port = the local gateway's listener port for it. */
    public static final String GATEWAY_PORTS_ANNOTATION = Names.SPLIT_GATEWAY_PORTS_ANNOTATION;
    /** The name of the TrafficSplit (in the apex's namespace) that owns the apex. */
    public static final String SPLIT_ANNOTATION = Names.SPLIT_OWNER_ANNOTATION;

    private Apex() {}

    /** True when {@code service} is an apex Isthmus created: our label, and no selector. */
    public static boolean isOurs(Service service) {
        Map<String, String> labels = service.getMetadata().getLabels();
        boolean labelled = labels != null && "true".equals(labels.get(Names.SPLIT_APEX_LABEL));
        return labelled && !hasSelector(service);
    }

    /** True when {@code service} is our apex and belongs to {@code split}, which must name it. */
    public static boolean belongsTo(Service service, TrafficSplit split) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        return isOurs(service) && annotations != null
                && split.getMetadata().getName().equals(annotations.get(SPLIT_ANNOTATION))
                && split.getSpec() != null && service.getMetadata().getName().equals(split.getSpec().service);
    }

    public static boolean hasSelector(Service service) {
        return service.getSpec() != null && service.getSpec().getSelector() != null && !service.getSpec().getSelector().isEmpty();
    }
}
