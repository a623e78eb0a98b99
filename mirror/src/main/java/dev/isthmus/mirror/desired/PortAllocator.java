package dev.isthmus.mirror.desired;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the local gateway's listener port for each port of a mirrored Service. An allocation is
 * stable: a port the Service already holds is kept unless it left the range or an older Service claims
 * it too (the conflict rule of {@code docs/kubernetes.md}); new ports take the lowest free port.
 */
public final class PortAllocator {

    private PortAllocator() {}

    /**
     * The ports {@code self} may not use: every port another Service claims, except those {@code self}
     * held first.
     */
    public static Set<Integer> unavailableFor(PortClaim self, Collection<PortClaim> claims) {
        Set<Integer> unavailable = new HashSet<>();
        for (PortClaim other : claims) {
            if (other.key().equals(self.key())) {
                continue;
            }
            for (int port : other.ports().values()) {
                if (!self.ports().containsValue(port) || other.olderThan(self)) {
                    unavailable.add(port);
                }
            }
        }
        return unavailable;
    }

    /**
     * @param servicePorts the mirrored Service's ports, in order; duplicates share one gateway port
     * @param previous what the Service holds now (its annotation), possibly empty
     * @param unavailable ports held by others, from {@link #unavailableFor}
     * @return service port to gateway port, in {@code servicePorts} order
     * @throws PortsExhaustedException when the range has no free port left
     */
    public static Map<Integer, Integer> allocate(List<Integer> servicePorts, Map<Integer, Integer> previous,
            Set<Integer> unavailable, PortRange range) {
        Map<Integer, Integer> allocation = new LinkedHashMap<>();
        Set<Integer> used = new HashSet<>();
        for (int servicePort : servicePorts) {
            Integer held = previous.get(servicePort);
            if (held != null && range.contains(held) && !unavailable.contains(held) && !used.contains(held)
                    && !allocation.containsKey(servicePort)) {
                allocation.put(servicePort, held);
                used.add(held);
            }
        }
        // Ports the Service holds stay reserved for it even while other ports are placed.
        for (int servicePort : servicePorts) {
            if (allocation.containsKey(servicePort)) {
                continue;
            }
            int port = lowestFree(range, unavailable, used);
            allocation.put(servicePort, port);
            used.add(port);
        }
        Map<Integer, Integer> ordered = new LinkedHashMap<>();
        for (int servicePort : servicePorts) {
            ordered.put(servicePort, allocation.get(servicePort));
        }
        return ordered;
    }

    private static int lowestFree(PortRange range, Set<Integer> unavailable, Set<Integer> used) {
        for (int port = range.first(); port <= range.last(); port++) {
            if (!unavailable.contains(port) && !used.contains(port)) {
                return port;
            }
        }
        throw new PortsExhaustedException("no free gateway port left in " + range + " (" + range.size()
                + " ports, all claimed by mirrored Services); widen --port-range");
    }

    /** The range is full. Retrying will not help until a mirror is deleted or the range widened. */
    public static final class PortsExhaustedException extends RuntimeException {
        PortsExhaustedException(String message) {
            super(message);
        }
    }
}
