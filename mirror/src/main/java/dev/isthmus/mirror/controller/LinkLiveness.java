package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;

/**
 * Whether the link is alive, as the local gateways say ({@link LinkHealthPoller}): the mirrors' EndpointSlices
 * are ready only while it is. A change of verdict reconciles every mirror; no answer keeps the last verdict.
 */
final class LinkLiveness {

    private final LinkHealthPoller health;
    private final MirrorStatus status;
    private final MirrorMetrics metrics;
    private final Runnable everyMirror;
    private final LinkLog log;
    private volatile boolean alive = true;

    LinkLiveness(LinkSettings settings, MirrorOptions options, Supplier<Collection<EndpointSlice>> gatewaySlices,
            MirrorStatus status, MirrorMetrics metrics, Runnable everyMirror, LinkLog log) {
        this.health = new LinkHealthPoller(settings.linkName(), options.gatewayAdminUrl(), gatewaySlices);
        this.status = status;
        this.metrics = metrics;
        this.everyMirror = everyMirror;
        this.log = log;
    }

    boolean alive() {
        return alive;
    }

    /** Polls, logging rather than throwing: it runs on a timer, which a thrown exception would cancel. */
    void poll() {
        try {
            poll(false);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "gateway health poll failed", e);
        }
    }

    /** @param force write the gateway health to the status even when it did not change (the periodic repair) */
    void poll(boolean force) {
        Optional<LinkHealth> answer = health.poll();
        // The gauge tells what the gateways say now; the mirrors' readiness keeps what they said last (below).
        metrics.gatewayAlive.set(answer.map(h -> h.alive() ? 1 : 0).orElse(0));
        if (answer.isEmpty()) {
            return;
        }
        LinkHealth current = answer.get();
        status.gateway(current, force);
        if (current.alive() != alive) {
            alive = current.alive();
            log.info("the local gateways say the link is "
                    + (alive ? "alive" : "dead" + (current.lastError() == null ? "" : " (" + current.lastError() + ")"))
                    + "; updating the readiness of every mirror");
            everyMirror.run();
        }
    }
}
