package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Kubernetes Events about a Link's mirrors, recorded on the Link so {@code kubectl describe link} shows them. */
final class LinkEvents {

    static final String SKIPPED = "ServiceMirroringSkipped";
    static final String CREATED = "MirrorCreated";
    static final String DELETED = "MirrorDeleted";

    private static final Logger LOG = Logger.getLogger(LinkEvents.class.getName());

    private final KubernetesClient client;
    private final Link link;

    LinkEvents(KubernetesClient client, Link link) {
        this.client = client;
        this.link = link;
    }

    void normal(String reason, String message) {
        record("Normal", reason, message);
    }

    void warning(String reason, String message) {
        record("Warning", reason, message);
    }

    private void record(String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1().events().inNamespace(link.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(link.getMetadata().getName() + ".")
                    .withNamespace(link.getMetadata().getNamespace()).endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(Names.LINK_GROUP + "/" + Names.LINK_VERSION).withKind(Names.LINK_KIND)
                    .withNamespace(link.getMetadata().getNamespace()).withName(link.getMetadata().getName())
                    .withUid(link.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(Names.mirrorController(link.getMetadata().getName())).endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy; losing one must not fail the reconcile that caused it.
            LOG.log(Level.WARNING, "cannot record Event " + reason + " on Link " + link.getMetadata().getName()
                    + ": " + e.getMessage());
        }
    }
}
