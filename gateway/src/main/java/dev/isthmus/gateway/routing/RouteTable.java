package dev.isthmus.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable snapshot of where the gateway may send traffic. A new table replaces the old one
 * whole, so a connection routes against one consistent view, and lookups need no locks.
 *
 * <p>Two tables are equal when they route alike: the same cluster domain, exported services, outbound
 * routes and linked gateways, whatever order they were listed in. A source that rebuilds from scratch
 * compares with the last table it delivered and pushes nothing when they are equal.
 */
public final class RouteTable {

    public static final RouteTable EMPTY = new RouteTable("cluster.local", List.of(), List.of());

    private final String clusterDomain;
    private final String serviceSuffix;
    private final Map<String, ExportedService> exported;
    private final Map<Integer, OutboundRoute> outbound;
    private final List<LinkedGateway> links;

    /** A table with exported services only: an inbound-only gateway's. */
    public RouteTable(String clusterDomain, List<ExportedService> exported) {
        this(clusterDomain, exported, List.of());
    }

    public RouteTable(String clusterDomain, List<ExportedService> exported, List<OutboundRoute> outbound) {
        this(clusterDomain, exported, outbound, List.of());
    }

    /** @param links every linked cluster's gateway, probed whether or not a route goes through it yet */
    public RouteTable(String clusterDomain, List<ExportedService> exported, List<OutboundRoute> outbound, List<LinkedGateway> links) {
        this.links = List.copyOf(links);
        this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
        this.serviceSuffix = ".svc." + clusterDomain.toLowerCase(Locale.ROOT);
        Map<String, ExportedService> byTarget = new HashMap<>();
        for (ExportedService service : exported) {
            if (!isLocalServiceName(service.name())) {
                throw new IllegalArgumentException("exported service '" + service.name() + "' is outside this cluster"
                        + " (expected <service>.<namespace>" + serviceSuffix + ")");
            }
            if (byTarget.put(key(service.name(), service.port()), service) != null) {
                throw new IllegalArgumentException("exported service " + service.target() + " is listed twice");
            }
        }
        this.exported = Map.copyOf(byTarget);
        Map<Integer, OutboundRoute> byPort = new HashMap<>();
        for (OutboundRoute route : outbound) {
            OutboundRoute previous = byPort.put(route.port(), route);
            if (previous != null) {
                throw new IllegalArgumentException("outbound routes " + previous.name() + " and " + route.name()
                        + " both claim port " + route.port() + " (expected one route per listener port)");
            }
        }
        this.outbound = Map.copyOf(byPort);
    }

    public String clusterDomain() {
        return clusterDomain;
    }

    /** The linked clusters' gateways, routes or not. */
    public List<LinkedGateway> links() {
        return links;
    }

    /**
     * True when {@code name} names a service of this cluster: {@code <svc>.<ns>.svc.<cluster-domain>},
     * with or without the trailing dot of a fully-qualified DNS name.
     */
    public boolean isLocalServiceName(String name) {
        String bare = bare(name);
        if (!bare.endsWith(serviceSuffix)) {
            return false;
        }
        String serviceAndNamespace = bare.substring(0, bare.length() - serviceSuffix.length());
        int dot = serviceAndNamespace.indexOf('.');
        return dot > 0 && dot < serviceAndNamespace.length() - 1 && serviceAndNamespace.indexOf('.', dot + 1) < 0;
    }

    /** The exported service at {@code name:port} (in any letter case), or {@code null} when nothing is exported there. */
    public ExportedService exported(String name, int port) {
        return exported.get(key(name, port));
    }

    private static String key(String name, int port) {
        return bare(name) + ":" + port;
    }

    /**
     * A service name as it is compared: without the trailing dot of a fully-qualified name, and in lower case,
     * as DNS compares names (RFC 4343), so {@code PODINFO.test.svc.cluster.local} is {@code podinfo.test…}.
     */
    private static String bare(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    public Collection<ExportedService> exportedServices() {
        return exported.values();
    }

    public int size() {
        return exported.size();
    }

    /** The outbound route listening on {@code port}, or {@code null}. */
    public OutboundRoute outbound(int port) {
        return outbound.get(port);
    }

    /** Every outbound route, keyed by its listener port: the gateway opens a listener for each. */
    public Map<Integer, OutboundRoute> outboundRoutes() {
        return outbound;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RouteTable that && clusterDomain.equals(that.clusterDomain)
                && exported.equals(that.exported) && outbound.equals(that.outbound)
                && linksAsSet().equals(that.linksAsSet());
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterDomain, exported, outbound, linksAsSet());
    }

    /** The gateway probes every link whatever their order, so the order is not part of the value. */
    private Set<LinkedGateway> linksAsSet() {
        return new HashSet<>(links);
    }

    @Override
    public String toString() {
        return "RouteTable[" + clusterDomain + ", " + exported.size() + " exported, " + outbound.size() + " outbound, "
                + links.size() + " links]";
    }
}
