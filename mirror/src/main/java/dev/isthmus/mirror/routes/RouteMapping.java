package dev.isthmus.mirror.routes;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.mirror.desired.PortClaim;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.split.Apex;
import dev.isthmus.mirror.split.TrafficSplit;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The gateway's route table from the objects of its own cluster, as {@code docs/kubernetes.md} maps them,
 * one kind of object per class: exported Services become inbound {@link ExportedService}s
 * ({@link InboundMapping}), mirrored Services outbound routes to their Link's remote gateway
 * ({@link MirrorMapping}, {@link LinkMapping}), accepted TrafficSplits weighted outbound routes
 * ({@link SplitMapping}). This class sorts the objects to them and decides which route keeps a contested
 * gateway port. A pure function: an object that cannot be mapped (a malformed annotation, a missing Link) is
 * left out and reported as {@link Skipped}, never the whole table.
 */
public final class RouteMapping {

    /**
     * One object, or one port of it, left out of the table.
     *
     * @param kind {@code inbound}, {@code outbound} or {@code split}: which part of the table it was for
     * @param object such as {@code Service test/podinfo-east}
     */
    public record Skipped(String kind, String object, String reason) {
        @Override
        public String toString() {
            return kind + " " + object + ": " + reason;
        }
    }

    public record Result(RouteTable table, List<Skipped> skipped) {}

    /** An outbound route and the object whose it is: the older object keeps a gateway port two claim. */
    record Candidate(OutboundRoute route, String kind, HasMetadata owner) {}

    private RouteMapping() {}

    public static Result map(ClusterObjects objects, String clusterDomain, ExportSelector selector) {
        requireNonNull(objects, "objects");
        requireNonNull(clusterDomain, "clusterDomain");
        requireNonNull(selector, "selector");
        List<Skipped> skipped = new ArrayList<>();
        Map<String, Service> services = new TreeMap<>();
        for (Service service : objects.services()) {
            services.put(Metadata.key(service), service);
        }
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (EndpointSlice slice : objects.slices()) {
            String service = Metadata.labels(slice).get(Names.SERVICE_NAME_LABEL);
            if (service != null) {
                slices.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service, k -> new ArrayList<>()).add(slice);
            }
        }
        Map<String, Link> links = new HashMap<>();
        for (Link link : objects.links()) {
            if (Names.MULTICLUSTER_NAMESPACE.equals(link.getMetadata().getNamespace())) {
                links.put(link.getMetadata().getName(), link);
            }
        }
        LinkMapping gateways = new LinkMapping(links);
        InboundMapping inbound = new InboundMapping(clusterDomain, slices, skipped);
        MirrorMapping mirrors = new MirrorMapping(clusterDomain, gateways, skipped);
        SplitMapping splits = new SplitMapping(clusterDomain, services, inbound, mirrors, skipped);

        List<ExportedService> exported = new ArrayList<>();
        List<Candidate> outbound = new ArrayList<>();
        for (Service service : services.values()) {
            if (!Services.validName(service)) {
                skipped.add(new Skipped("service", Services.describe(service),
                        "the name is not a DNS label (expected <name>.<namespace>)"));
            } else if (Services.isMirror(service)) {
                mirrors.mirror(service, outbound);
            } else if (!Apex.isOurs(service) && selector.matches(service.getMetadata().getLabels())) {
                inbound.export(service, exported);
            }
        }
        List<TrafficSplit> sortedSplits = new ArrayList<>(objects.splits());
        sortedSplits.sort(Comparator.comparing(Metadata::key));
        for (TrafficSplit split : sortedSplits) {
            splits.split(split, outbound);
        }
        List<LinkedGateway> linked = new ArrayList<>();
        for (String name : new TreeSet<>(links.keySet())) {
            try {
                linked.add(gateways.gateway(name));
            } catch (Unmappable e) {
                skipped.add(new Skipped("link", name, e.getMessage()));
            }
        }
        return new Result(new RouteTable(clusterDomain, exported, claimPorts(outbound, skipped), linked), List.copyOf(skipped));
    }

    /** One route per gateway port: the older owner keeps a port two claim, by the rule the port allocator follows. */
    private static List<OutboundRoute> claimPorts(List<Candidate> candidates, List<Skipped> skipped) {
        List<Candidate> bySeniority = new ArrayList<>(candidates);
        bySeniority.sort(Comparator.comparing((Candidate c) -> PortClaim.of(c.owner()), PortClaim.SENIORITY));
        Map<Integer, Candidate> byPort = new LinkedHashMap<>();
        for (Candidate candidate : bySeniority) {
            Candidate holder = byPort.putIfAbsent(candidate.route().port(), candidate);
            if (holder != null) {
                skipped.add(new Skipped(candidate.kind(), candidate.route().name(), "gateway port " + candidate.route().port()
                        + " is already " + holder.route().name() + "'s (" + holder.owner().getKind() + " "
                        + Metadata.key(holder.owner()) + ", older); expected every gateway port once"));
            }
        }
        return new ArrayList<>(byPort.values().stream().map(Candidate::route).toList());
    }
}
