package dev.isthmus.gateway.http;

/**
 * Where a proxied request goes, as the exchange that carries it needs to know it: how to name it in an
 * error, how to label it in metrics, what a client hears when it cannot be reached, and who wants to
 * know how each request went (a load balancer).
 */
public interface Destination {

    /** Names it in errors and logs: {@code backend 10.0.0.7:9898}, {@code remote gateway 192.0.2.1:4143}. */
    String describe();

    /** Its metrics label: {@code local}, or the link a remote target came through. */
    String label();

    /**
     * The status when no connection can be had: 502 for a backend instance (the gateway in front of it
     * is fine, the instance is not), 503 for a remote gateway (the whole remote service is unavailable).
     */
    int unreachableStatus();

    /** A request to it starts; paired with {@link #finished}. */
    void started();

    /** @param healthy false when the request failed because of the destination */
    void finished(boolean healthy);
}
