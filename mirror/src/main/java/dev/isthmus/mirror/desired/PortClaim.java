package dev.isthmus.mirror.desired;

import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway ports one object holds, as its {@code gateway-ports} annotation says, with what decides a
 * conflict: when two objects claim one port, the older (creation time, then uid, then name) keeps it. The
 * port allocator (mirrors, apexes) and the route mapping (which route gets a contested listener) both
 * decide by {@link #SENIORITY}, so they cannot disagree.
 *
 * @param key {@code namespace/name} of the mirrored Service, apex or TrafficSplit
 * @param created its creation time; {@code null} for an object not created yet, which is the youngest
 */
public record PortClaim(String key, Instant created, String uid, Map<Integer, Integer> ports) {

    /** Older first; not-yet-created last. */
    public static final Comparator<PortClaim> SENIORITY = Comparator
            .comparing(PortClaim::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(PortClaim::uid, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(PortClaim::key);

    public PortClaim {
        Objects.requireNonNull(key, "key");
        ports = Map.copyOf(ports);
    }

    /**
     * What {@code owner} holds: a mirror's or an apex's annotation (an object carries one of them). A malformed
     * annotation holds nothing; whoever wrote it reports it, and at worst a port is allocated again.
     */
    public static PortClaim of(HasMetadata owner) {
        Map<Integer, Integer> held = new LinkedHashMap<>();
        for (String annotation : List.of(Names.GATEWAY_PORTS_ANNOTATION, Names.SPLIT_GATEWAY_PORTS_ANNOTATION)) {
            try {
                held.putAll(GatewayPorts.parse(Metadata.annotations(owner).get(annotation)));
            } catch (IllegalArgumentException e) {
                // as above
            }
        }
        return new PortClaim(Metadata.key(owner), Metadata.created(owner), owner.getMetadata().getUid(), held);
    }

    public boolean olderThan(PortClaim other) {
        return SENIORITY.compare(this, other) < 0;
    }
}
