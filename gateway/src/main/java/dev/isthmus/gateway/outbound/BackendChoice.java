package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Picks a route's backend for one request (HTTP) or one connection (opaque): each with probability
 * weight / total among those that can take traffic. A remote target whose link is dead, or a local
 * service with no ready endpoint, is left out, so its share goes to the others in proportion to theirs.
 */
final class BackendChoice {

    private BackendChoice() {}

    /**
     * @param random {@code bound -> a uniform int in [0, bound)}
     * @return the backend, or {@code null} when none can take traffic
     */
    static Backend pick(List<WeightedBackend> backends, LinkHealth health, IntUnaryOperator random) {
        long total = 0;
        for (WeightedBackend candidate : backends) {
            if (canTakeTraffic(candidate.backend(), health)) {
                total += candidate.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        // Weights are ints and routes have few backends, so the total fits an int in practice; clamp if not.
        long ticket = random.applyAsInt((int) Math.min(total, Integer.MAX_VALUE));
        for (WeightedBackend candidate : backends) {
            if (canTakeTraffic(candidate.backend(), health)) {
                ticket -= candidate.weight();
                if (ticket < 0) {
                    return candidate.backend();
                }
            }
        }
        return null;
    }

    static boolean canTakeTraffic(Backend backend, LinkHealth health) {
        if (backend instanceof RemoteTarget remote) {
            return !remote.gateways().isEmpty() && health.alive(remote.link());
        }
        return !((ExportedService) backend).readyEndpoints().isEmpty();
    }

    /** Why nothing could be picked, for the client's 503. */
    static String whyNone(String route, List<WeightedBackend> backends, LinkHealth health) {
        StringBuilder why = new StringBuilder("no backend of ").append(route).append(" can take traffic:");
        for (WeightedBackend candidate : backends) {
            Backend backend = candidate.backend();
            if (backend instanceof RemoteTarget remote) {
                why.append(' ').append(remote.target()).append(" via link ").append(remote.link())
                        .append(remote.gateways().isEmpty() ? " has no gateway address;"
                                : health.alive(remote.link()) ? " has weight 0;" : " is down;");
            } else {
                ExportedService local = (ExportedService) backend;
                why.append(' ').append(local.target())
                        .append(local.readyEndpoints().isEmpty() ? " has no ready endpoint;" : " has weight 0;");
            }
        }
        why.setLength(why.length() - 1);
        return why.toString();
    }
}
