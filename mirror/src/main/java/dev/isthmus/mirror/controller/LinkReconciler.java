package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.Gateways;
import dev.isthmus.mirror.link.LinkSettings;

/**
 * Reconciles what belongs to the Link as a whole rather than to one Service: the target gateway's addresses
 * and the Ready condition, which says whether the target's API server can be watched.
 */
final class LinkReconciler {

    private final LinkSettings settings;
    private final MirrorCaches caches;
    private final MirrorStatus status;

    LinkReconciler(LinkSettings settings, MirrorCaches caches, MirrorStatus status) {
        this.settings = settings;
        this.caches = caches;
        this.status = status;
    }

    void reconcile() {
        status.gatewayAddresses(Gateways.remoteAddresses(settings, caches.remoteGateway()));
        if (settings.selectsNothing()) {
            status.ready(true, "NothingSelected", "spec.selector is empty, so no Service of "
                    + settings.clusterName() + " is mirrored");
        } else if (caches.remoteWatching()) {
            status.ready(true, "Mirroring", "watching " + settings.clusterName() + "'s exported Services");
        } else {
            status.ready(false, "TargetUnreachable", "the API server of " + settings.clusterName()
                    + " cannot be watched; mirrors are kept as they were and repaired when it is back");
        }
    }
}
