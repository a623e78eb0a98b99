package dev.isthmus.mirror.routes;

import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.split.TrafficSplit;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;

/** What the route table is made from: the informers' caches at one moment, or a test's objects. */
public record ClusterObjects(List<Service> services, List<EndpointSlice> slices, List<Link> links, List<TrafficSplit> splits) {

    public ClusterObjects {
        services = List.copyOf(services);
        slices = List.copyOf(slices);
        links = List.copyOf(links);
        splits = List.copyOf(splits);
    }
}
