package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import java.util.function.Supplier;

/**
 * The exported service a session was routed to, as the route table of the moment has it: its ready
 * instances, its protocol, or {@code null} once it is no longer exported. A peer keeps its connection open
 * for hours while the service's pods come and go; the endpoints of the moment the connection was routed
 * would send every later request to pods long deleted. The lookup is redone only when the table changed,
 * so a request costs two volatile reads. Shared by the sessions of every event loop: the last answer is one
 * immutable pair, and two threads that redo the lookup at once find the same service.
 */
final class CurrentService implements Supplier<ExportedService> {

    private record Resolved(RouteTable table, ExportedService service) {}

    private final Supplier<RouteTable> routes;
    private final String name;
    private final int port;
    private volatile Resolved resolved;

    CurrentService(Supplier<RouteTable> routes, String name, int port) {
        this.routes = requireNonNull(routes, "routes");
        this.name = requireNonNull(name, "name");
        this.port = port;
    }

    @Override
    public ExportedService get() {
        RouteTable table = routes.get();
        Resolved last = resolved;
        if (last == null || last.table != table) {
            last = new Resolved(table, table.exported(name, port));
            resolved = last;
        }
        return last.service;
    }
}
