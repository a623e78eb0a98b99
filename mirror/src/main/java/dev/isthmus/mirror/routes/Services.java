package dev.isthmus.mirror.routes;

import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** How every mapping reads a Service: its relayable ports, whether it is a mirror, its name as a route names it. */
final class Services {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private Services() {}

    /** The Service's TCP ports with a usable number: the gateway relays nothing else. */
    static List<ServicePort> tcpPorts(Service service) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return List.of();
        }
        return service.getSpec().getPorts().stream()
                .filter(port -> port != null && port.getPort() != null && port.getPort() >= 1 && port.getPort() <= 65535)
                .filter(port -> port.getProtocol() == null || "TCP".equals(port.getProtocol()))
                .toList();
    }

    static boolean isMirror(Service service) {
        return "true".equals(Metadata.labels(service).get(Names.MIRRORED_SERVICE_LABEL));
    }

    /** Name and namespace are DNS labels, so {@code <name>.<namespace>.svc.<domain>} is a name a route can carry. */
    static boolean validName(Service service) {
        return DNS_LABEL.matcher(Objects.toString(service.getMetadata().getName(), "")).matches()
                && DNS_LABEL.matcher(Objects.toString(service.getMetadata().getNamespace(), "")).matches();
    }

    static String fqdn(Service service, String clusterDomain) {
        return Names.serviceFqdn(service.getMetadata().getName(), service.getMetadata().getNamespace(), clusterDomain);
    }

    static String describe(Service service) {
        return "Service " + Metadata.key(service);
    }
}
