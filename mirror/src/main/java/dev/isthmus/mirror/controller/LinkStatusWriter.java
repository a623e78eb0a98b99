package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.link.LinkStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * Writes what changed in the Link's status ({@link MirrorStatus#changes()}) at most once a flush, so a
 * thousand Services mirrored in a burst make a handful of status writes, not a thousand. A JSON merge patch,
 * not an apply: {@link MirrorStatus} hands over a delta (what changed since the last write), which is what a
 * merge patch carries; an apply would have to send the whole status, every Service's condition, each time.
 */
final class LinkStatusWriter {

    private final KubernetesClient local;
    private final LinkSettings settings;
    private final MirrorStatus status;
    private final LinkLog log;

    LinkStatusWriter(KubernetesClient local, LinkSettings settings, MirrorStatus status, LinkLog log) {
        this.local = local;
        this.settings = settings;
        this.status = status;
        this.log = log;
    }

    void flush() {
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
            log.warning("cannot write the Link's status: " + e.getMessage());
        }
    }
}
