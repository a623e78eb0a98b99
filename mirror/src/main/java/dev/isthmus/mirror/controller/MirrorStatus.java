package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.link.LinkStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Link's status as the controller means it to be, kept in memory and written when it changed.
 * Transition times survive a restart because the status is seeded from what the Link already says.
 */
final class MirrorStatus {

    static final String MIRRORED = "Mirrored";

    private final Map<String, LinkStatus.ServiceStatus> services = new TreeMap<>();
    private List<String> gatewayAddresses = new ArrayList<>();
    private LinkStatus.GatewayHealth gateway;
    private LinkStatus.Condition ready;
    private boolean dirty;

    MirrorStatus(LinkStatus existing) {
        if (existing != null) {
            if (existing.mirrorServices != null) {
                for (LinkStatus.ServiceStatus service : existing.mirrorServices) {
                    if (service.remoteRef != null && service.remoteRef.namespace != null && service.remoteRef.name != null) {
                        services.put(service.remoteRef.namespace + "/" + service.remoteRef.name, service);
                    }
                }
            }
            gatewayAddresses = existing.gatewayAddresses == null ? new ArrayList<>() : existing.gatewayAddresses;
            gateway = existing.gateway;
            ready = existing.conditions == null ? null
                    : existing.conditions.stream().filter(c -> "Ready".equals(c.type)).findFirst().orElse(null);
        }
    }

    /**
     * Sets the {@code Mirrored} condition of one remote Service, keeping its transition time when
     * only the reason or message changed.
     *
     * @return whether anything changed
     */
    synchronized boolean setService(String key, String status, String reason, String message, LinkSpec.ObjectRef localRef) {
        String[] parts = key.split("/", 2);
        LinkStatus.ServiceStatus service = services.get(key);
        LinkStatus.Condition previous = service == null || service.conditions.isEmpty() ? null : service.conditions.get(0);
        if (previous != null && Objects.equals(previous.status, status) && Objects.equals(previous.reason, reason)
                && Objects.equals(previous.message, message)) {
            return false;
        }
        LinkStatus.Condition condition = new LinkStatus.Condition();
        condition.type = MIRRORED;
        condition.status = status;
        condition.reason = reason;
        condition.message = message;
        condition.localRef = localRef;
        condition.lastTransitionTime = previous != null && Objects.equals(previous.status, status)
                ? previous.lastTransitionTime : now();
        LinkStatus.ServiceStatus updated = new LinkStatus.ServiceStatus();
        updated.remoteRef = new LinkSpec.ObjectRef(parts[0], parts[1]);
        updated.conditions = new ArrayList<>(List.of(condition));
        services.put(key, updated);
        dirty = true;
        return true;
    }

    synchronized String reason(String key) {
        LinkStatus.ServiceStatus service = services.get(key);
        return service == null || service.conditions.isEmpty() ? null : service.conditions.get(0).reason;
    }

    synchronized void removeService(String key) {
        if (services.remove(key) != null) {
            dirty = true;
        }
    }

    synchronized Set<String> keys() {
        return Set.copyOf(services.keySet());
    }

    synchronized void gatewayAddresses(List<String> addresses) {
        if (!addresses.equals(gatewayAddresses)) {
            gatewayAddresses = new ArrayList<>(addresses);
            dirty = true;
        }
    }

    synchronized List<String> gatewayAddresses() {
        return List.copyOf(gatewayAddresses);
    }

    /**
     * Records the gateway's health; {@code force} also refreshes latency and probe time. A latency known for the
     * first time (or no longer known) is a change: a link is alive before the gateways' first probe answers, and
     * `multicluster gateways` showed no latency until the next repair, a minute later.
     */
    synchronized void gateway(LinkHealth health, boolean force) {
        boolean changed = gateway == null || !Objects.equals(gateway.alive, health.alive())
                || !Objects.equals(gateway.lastError, health.lastError())
                || (gateway.latencyMs == null) != (health.latencyMs() == null);
        if (!changed && !(force && !Objects.equals(gateway.latencyMs, health.latencyMs()))) {
            return;
        }
        LinkStatus.GatewayHealth updated = new LinkStatus.GatewayHealth();
        updated.alive = health.alive();
        updated.latencyMs = health.latencyMs();
        updated.lastError = health.lastError();
        updated.lastProbeTime = now();
        gateway = updated;
        dirty = true;
    }

    synchronized void ready(boolean isReady, String reason, String message) {
        String status = isReady ? "True" : "False";
        if (ready != null && status.equals(ready.status) && reason.equals(ready.reason) && message.equals(ready.message)) {
            return;
        }
        LinkStatus.Condition condition = new LinkStatus.Condition();
        condition.type = "Ready";
        condition.status = status;
        condition.reason = reason;
        condition.message = message;
        condition.lastTransitionTime = ready != null && status.equals(ready.status) ? ready.lastTransitionTime : now();
        ready = condition;
        dirty = true;
    }

    /** The status to write, or null when nothing changed since the last {@link #written()}. */
    synchronized LinkStatus changes() {
        if (!dirty) {
            return null;
        }
        LinkStatus status = new LinkStatus();
        status.gatewayAddresses = new ArrayList<>(gatewayAddresses);
        status.gateway = gateway;
        status.conditions = ready == null ? new ArrayList<>() : new ArrayList<>(List.of(ready));
        status.mirrorServices = new ArrayList<>(services.values());
        dirty = false;
        return status;
    }

    /** After a failed write, so the next attempt writes again. */
    synchronized void unwritten() {
        dirty = true;
    }

    synchronized void written() {
        dirty = false;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
