package dev.isthmus.mirror.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** What every controller and mapping reads off an object's metadata, written once. */
public final class Metadata {

    private Metadata() {}

    /** {@code namespace/name}: the informers' cache key, and how objects are named in messages. */
    public static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    /** The creation time, or {@code null} for an object not created yet (or with a timestamp nobody can read). */
    public static Instant created(HasMetadata object) {
        String created = object.getMetadata().getCreationTimestamp();
        try {
            return created == null ? null : Instant.parse(created);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public static Map<String, String> labels(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    public static Map<String, String> annotations(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }
}
