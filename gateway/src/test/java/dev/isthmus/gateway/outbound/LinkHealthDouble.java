package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.routing.LinkHealth;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A test double for the gateway probe's verdicts: every link alive until the test says otherwise. */
final class LinkHealthDouble implements LinkHealth {

    private final Set<String> dead = ConcurrentHashMap.newKeySet();

    void markDead(String link) {
        dead.add(link);
    }

    void markAlive(String link) {
        dead.remove(link);
    }

    @Override
    public boolean alive(String link) {
        return !dead.contains(link);
    }
}
