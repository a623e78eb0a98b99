package dev.isthmus.cli.stat;

/**
 * One leaf of a route, as {@code stat trafficsplit} shows it: the requests a route's clients sent to one
 * backend (a link, or {@code local}) over a window, and that backend's share of the route's requests.
 *
 * @param routeRequests all of the route's requests in the window, for the share
 */
public record BackendStats(String route, String backend, double routeRequests, ServiceStats stats) {

    /** The backend's share of its route's requests, in [0, 1]; {@code NaN} without requests. */
    public double share() {
        return routeRequests > 0 ? stats.requests() / routeRequests : Double.NaN;
    }
}
