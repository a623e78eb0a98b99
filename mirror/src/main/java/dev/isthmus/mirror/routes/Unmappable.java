package dev.isthmus.mirror.routes;

/** Why an object or one port of it cannot be mapped; becomes a {@link RouteMapping.Skipped}, never a missing table. */
final class Unmappable extends Exception {

    Unmappable(String message) {
        super(message, null, false, false);
    }
}
