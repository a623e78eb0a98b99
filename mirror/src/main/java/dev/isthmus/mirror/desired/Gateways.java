package dev.isthmus.mirror.desired;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Where the gateways are: the remote one the routes lead to, the local one the mirrors point at. */
public final class Gateways {

    private Gateways() {}

    /**
     * The remote gateway's addresses: the Link's {@code gatewayAddress} when set, else the target's gateway
     * Service's load-balancer ingress (IPs and host names, sorted), else empty.
     */
    public static List<String> remoteAddresses(LinkSettings link, Service remoteGateway) {
        if (!link.gatewayAddresses().isEmpty()) {
            return link.gatewayAddresses();
        }
        TreeSet<String> addresses = new TreeSet<>();
        if (remoteGateway != null && remoteGateway.getStatus() != null
                && remoteGateway.getStatus().getLoadBalancer() != null
                && remoteGateway.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ingress : remoteGateway.getStatus().getLoadBalancer().getIngress()) {
                if (ingress.getIp() != null && !ingress.getIp().isBlank()) {
                    addresses.add(ingress.getIp());
                } else if (ingress.getHostname() != null && !ingress.getHostname().isBlank()) {
                    addresses.add(ingress.getHostname());
                }
            }
        }
        return List.copyOf(addresses);
    }

    /** The local gateway's ready IPv4 addresses, sorted, from its Service's EndpointSlices. */
    public static List<String> localAddresses(Collection<EndpointSlice> gatewaySlices) {
        TreeSet<String> addresses = new TreeSet<>();
        for (EndpointSlice slice : gatewaySlices) {
            if (!"IPv4".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (ready(endpoint) && endpoint.getAddresses() != null) {
                    addresses.addAll(endpoint.getAddresses());
                }
            }
        }
        return List.copyOf(addresses);
    }

    /**
     * {@code http://<address>:<admin port>/links} for each ready local gateway endpoint, once each. The admin
     * port is the one named {@code admin} in the slices of {@link Names#GATEWAY_ADMIN}; in an installation
     * from before that Service, the gateway Service's {@code mc-probe} port.
     */
    public static List<URI> adminLinksUrls(Collection<EndpointSlice> gatewaySlices) {
        Set<URI> urls = new LinkedHashSet<>();
        for (EndpointSlice slice : gatewaySlices) {
            Integer adminPort = null;
            if (slice.getPorts() != null) {
                for (EndpointPort port : slice.getPorts()) {
                    if (Names.ADMIN_PORT_NAME.equals(port.getName()) || Names.PROBE_PORT_NAME.equals(port.getName())) {
                        adminPort = port.getPort();
                    }
                }
            }
            if (adminPort == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (!ready(endpoint) || endpoint.getAddresses() == null) {
                    continue;
                }
                for (String address : endpoint.getAddresses()) {
                    String host = address.contains(":") ? "[" + address + "]" : address;
                    urls.add(URI.create("http://" + host + ":" + adminPort + "/links"));
                }
            }
        }
        return List.copyOf(urls);
    }

    /** Whether any endpoint of a Service's EndpointSlices is ready (absent condition = ready, as Kubernetes says). */
    public static boolean hasReadyEndpoints(Collection<EndpointSlice> slices) {
        for (EndpointSlice slice : slices) {
            if (slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (ready(endpoint) && endpoint.getAddresses() != null && !endpoint.getAddresses().isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean ready(Endpoint endpoint) {
        return endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                || endpoint.getConditions().getReady();
    }
}
