package dev.isthmus.gateway.probe;

import dev.isthmus.identity.SpiffeId;
import java.time.Duration;
import java.time.Instant;

/**
 * What the probe of one link knows, as of its last result: for the CLI, the mirror controller and
 * transition listeners.
 *
 * @param alive whether traffic should go to the link; true until {@code failureThreshold} probes in a row failed
 * @param probed false until the first probe finished: {@code alive} is then an assumption, not an observation
 * @param consecutiveFailures failed probes since the last success
 * @param lastLatency the duration of the last successful probe, {@code null} before there was one
 * @param lastError why the last probe failed, {@code null} when it succeeded or none finished yet
 * @param lastChange when {@code alive} last changed, or when probing started
 */
public record LinkStatus(String link, SpiffeId gatewayIdentity, boolean alive, boolean probed, int consecutiveFailures,
        Duration lastLatency, String lastError, Instant lastChange) {}
