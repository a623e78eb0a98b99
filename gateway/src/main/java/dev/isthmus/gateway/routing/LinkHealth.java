package dev.isthmus.gateway.routing;

/**
 * Whether a link's remote gateway is reachable, as the gateway probe last saw it. The data path asks it
 * to move a dead link's share of a split to the live backends; the mirror controller asks it to mark a
 * dead link's endpoints not ready.
 */
@FunctionalInterface
public interface LinkHealth {

    /** Every link alive: for a gateway that probes nothing (tests, an inbound-only gateway). */
    LinkHealth ALWAYS_ALIVE = link -> true;

    boolean alive(String link);
}
