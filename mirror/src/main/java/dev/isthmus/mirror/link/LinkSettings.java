package dev.isthmus.mirror.link;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Link's spec, checked and with defaults applied: what the mirror controller works from. The CRD's
 * schema already validates, but a Link written before a schema change or read from a file has not
 * been through it, so the checks are repeated here with messages that name the field.
 */
public record LinkSettings(
        String linkName,
        String namespace,
        String clusterName,
        String clusterDomain,
        String credentialsSecret,
        List<String> gatewayAddresses,
        int gatewayPort,
        String gatewayIdentity,
        LinkSpec.ObjectRef gatewayService,
        LabelSelector selector,
        LabelFilter excludedLabels,
        LabelFilter excludedAnnotations,
        boolean createNamespaces) {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public static LinkSettings of(Link link) {
        Objects.requireNonNull(link, "link");
        String where = "Link " + link.getMetadata().getNamespace() + "/" + link.getMetadata().getName();
        LinkSpec spec = link.getSpec();
        if (spec == null) {
            throw new IllegalArgumentException(where + ": no spec (expected: spec.targetClusterName and the rest)");
        }
        String cluster = spec.targetClusterName;
        if (cluster == null || cluster.length() > 40 || !DNS_LABEL.matcher(cluster).matches()) {
            throw new IllegalArgumentException(where + ": spec.targetClusterName '" + cluster
                    + "' (expected: a DNS label of at most 40 characters, e.g. east)");
        }
        String domain = blank(spec.targetClusterDomain) ? "cluster.local" : spec.targetClusterDomain;
        if (!DNS_NAME.matcher(domain).matches()) {
            throw new IllegalArgumentException(where + ": spec.targetClusterDomain '" + domain
                    + "' (expected: a DNS name, e.g. cluster.local)");
        }
        if (blank(spec.clusterCredentialsSecret)) {
            throw new IllegalArgumentException(where + ": spec.clusterCredentialsSecret is empty"
                    + " (expected: the name of a Secret in " + link.getMetadata().getNamespace() + ")");
        }
        int port = spec.gatewayPort == null ? 4143 : spec.gatewayPort;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(where + ": spec.gatewayPort " + port + " (expected: 1-65535)");
        }
        List<String> addresses = new ArrayList<>();
        if (!blank(spec.gatewayAddress)) {
            for (String address : spec.gatewayAddress.split(",")) {
                if (!address.isBlank()) {
                    addresses.add(address.trim());
                }
            }
        }
        LinkSpec.ObjectRef gatewayService = new LinkSpec.ObjectRef(
                spec.gatewayService == null || blank(spec.gatewayService.namespace)
                        ? "isthmus-multicluster" : spec.gatewayService.namespace,
                spec.gatewayService == null || blank(spec.gatewayService.name)
                        ? "isthmus-gateway" : spec.gatewayService.name);
        return new LinkSettings(link.getMetadata().getName(), link.getMetadata().getNamespace(), cluster, domain,
                spec.clusterCredentialsSecret, List.copyOf(addresses), port, spec.gatewayIdentity, gatewayService,
                spec.selector, LabelFilter.of(spec.excludedLabels), LabelFilter.of(spec.excludedAnnotations),
                Boolean.TRUE.equals(spec.createNamespaces));
    }

    /** An empty selector selects nothing, as in Linkerd: a Link must say what it exports. */
    public boolean selectsNothing() {
        return selector == null
                || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                    && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
