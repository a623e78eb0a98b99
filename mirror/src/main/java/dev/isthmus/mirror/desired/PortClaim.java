package dev.isthmus.mirror.desired;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway ports one mirrored Service holds, as its {@code gateway-ports} annotation says, with what
 * decides a conflict: when two Services claim one port, the older (creation time, then uid) keeps it.
 *
 * @param key {@code namespace/name} of the mirrored Service
 * @param created its creation time; {@code null} for a Service not created yet, which is the youngest
 */
public record PortClaim(String key, Instant created, String uid, Map<Integer, Integer> ports) {

    /** Older first; not-yet-created last. */
    public static final Comparator<PortClaim> SENIORITY = Comparator
            .comparing(PortClaim::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(PortClaim::uid, Comparator.nullsLast(Comparator.naturalOrder()));

    public PortClaim {
        Objects.requireNonNull(key, "key");
        ports = Map.copyOf(ports);
    }

    public boolean olderThan(PortClaim other) {
        return SENIORITY.compare(this, other) < 0;
    }
}
