package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.PortClaim;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The gateway ports held in this cluster, as the caches and this controller's own recent writes say: every
 * link's mirrors and every split's apex share one range on the local gateway. Who keeps a contested port is
 * {@link PortClaim#SENIORITY}'s decision, not this class's.
 */
final class PortClaims {

    private final MirrorCaches caches;
    private final MirrorWrites writes;

    PortClaims(MirrorCaches caches, MirrorWrites writes) {
        this.caches = caches;
        this.writes = writes;
    }

    Collection<PortClaim> all() {
        Map<String, PortClaim> claims = new HashMap<>();
        for (Service mirror : caches.mirrors()) {
            PortClaim claim = PortClaim.of(mirror);
            claims.put(claim.key(), claim);
        }
        for (Service apex : caches.apexes()) {
            PortClaim claim = PortClaim.of(apex);
            claims.putIfAbsent(claim.key(), claim);
        }
        writes.writtenServices().forEach((localKey, written) -> {
            if (MirrorWrites.newest(caches.localService(localKey), written) == written) {
                claims.put(localKey, PortClaim.of(written));
            }
        });
        return claims.values();
    }
}
