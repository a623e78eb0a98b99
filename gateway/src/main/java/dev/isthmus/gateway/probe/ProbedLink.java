package dev.isthmus.gateway.probe;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.ProbeOverrides;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * What is probed for one link: the remote gateway's addresses, tried in turn, the identity its
 * certificate must carry, and the link's own probe settings where it has any.
 */
public record ProbedLink(String name, List<Endpoint> gateways, SpiffeId identity, ProbeOverrides probe) {

    private static final Logger log = Logger.getLogger(ProbedLink.class.getName());

    public ProbedLink {
        requireNonNull(name, "name");
        requireNonNull(identity, "identity");
        gateways = List.copyOf(gateways);
        probe = probe == null ? ProbeOverrides.NONE : probe;
    }

    public ProbedLink(String name, List<Endpoint> gateways, SpiffeId identity) {
        this(name, gateways, identity, ProbeOverrides.NONE);
    }

    /**
     * The links the outbound routes of {@code table} go through, and its linked gateways that no route goes
     * through yet, by name. Every remote target of a link should name the same gateway; where two disagree,
     * the route with the lowest port wins and the disagreement is logged, so the result does not depend on
     * map order.
     */
    public static Map<String, ProbedLink> of(RouteTable table) {
        Map<String, ProbedLink> links = new LinkedHashMap<>();
        for (OutboundRoute route : new TreeMap<>(table.outboundRoutes()).values()) {
            for (WeightedBackend weighted : route.backends()) {
                if (weighted.backend() instanceof RemoteTarget target) {
                    ProbedLink link = new ProbedLink(target.link(), target.gateways(), target.gatewayIdentity(),
                            target.probe());
                    ProbedLink first = links.putIfAbsent(link.name(), link);
                    if (first != null && !first.equals(link)) {
                        log.warning(() -> "route " + route.name() + " names gateway " + link.gateways() + " (" + link.identity()
                                + ") for link " + link.name() + ", another route " + first.gateways() + " ("
                                + first.identity() + "); probing the latter");
                    }
                }
            }
        }
        for (LinkedGateway gateway : table.links()) {
            links.putIfAbsent(gateway.link(), new ProbedLink(gateway.link(), gateway.gateways(), gateway.identity(), gateway.probe()));
        }
        return links;
    }
}
