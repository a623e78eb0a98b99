package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.check.CertificateChecks;
import dev.isthmus.cli.check.CheckReport;
import dev.isthmus.cli.kube.KubeErrors;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster check}, in the source cluster: the Link CRD, each Link valid, its credentials
 * reaching the target, its mirror controller available, every mirrored Service with ready endpoints, and
 * the target trusting the same anchors where the credentials may read them.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check the links of this (source) cluster: credentials, mirror controllers, mirrored services, anchors.")
public final class MulticlusterCheckCommand implements Callable<Integer> {

    static final String CRD = Names.LINK_PLURAL + "." + Names.LINK_GROUP;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        CheckReport report = new CheckReport(spec.commandLine().getOut());
        KubeOptions kube = KubeOptions.of(spec);
        String namespace = kube.namespace(Names.MULTICLUSTER_NAMESPACE);
        Optional<KubernetesClient> api = report.kubernetesApi(kube, "");
        if (api.isEmpty()) {
            return report.finish();
        }
        try (KubernetesClient client = api.get()) {
            report.group("isthmus-multicluster");
            try {
                links(report, client, namespace);
            } catch (KubernetesClientException e) {
                report.fail("can read the links", KubeErrors.describe(e, client.getConfiguration().getMasterUrl(),
                        "read the links in " + namespace));
            }
        }
        return report.finish();
    }

    private void links(CheckReport report, KubernetesClient client, String namespace) {
        if (client.apiextensions().v1().customResourceDefinitions().withName(CRD).get() == null) {
            report.fail("Link CRD exists", "no CustomResourceDefinition " + CRD
                    + " (expected: `isthmus multicluster install | kubectl apply -f -` in this cluster)");
            return;
        }
        report.pass("Link CRD exists");
        List<Link> links = new ArrayList<>(client.resources(Link.class).inNamespace(namespace).list().getItems());
        links.sort(Comparator.comparing(l -> l.getMetadata().getName()));
        List<String> invalid = new ArrayList<>();
        List<LinkSettings> valid = new ArrayList<>();
        for (Link link : links) {
            try {
                valid.add(LinkSettings.of(link));
            } catch (IllegalArgumentException e) {
                invalid.add(e.getMessage());
            }
        }
        if (links.isEmpty()) {
            report.warn("Link resources are valid", "no Links in " + namespace + " (link a cluster: isthmus --context=<target>"
                    + " multicluster link --cluster-name <target> | kubectl apply -f -)");
            return;
        }
        if (invalid.isEmpty()) {
            report.pass("Link resources are valid (" + links.stream().map(l -> l.getMetadata().getName()).collect(Collectors.joining(", ")) + ")");
        } else {
            report.fail("Link resources are valid", invalid.toArray(String[]::new));
        }

        List<X509Certificate> localAnchors = anchors(client);
        for (LinkSettings link : valid) {
            remote(report, client, link, localAnchors);
        }
        controllers(report, client, valid);
        mirrors(report, client, valid);
    }

    /** Credentials, then, with them, the target's anchors. */
    private void remote(CheckReport report, KubernetesClient client, LinkSettings link, List<X509Certificate> localAnchors) {
        String cluster = link.clusterName();
        String check = "credentials for " + cluster + " can list Services there";
        Secret secret = client.secrets().inNamespace(link.namespace()).withName(link.credentialsSecret()).get();
        String secretName = "Secret " + link.namespace() + "/" + link.credentialsSecret();
        if (secret == null || secret.getData() == null || secret.getData().get(Names.CREDENTIALS_KEY) == null) {
            report.fail(check, (secret == null ? "no " + secretName : secretName + " has no key " + Names.CREDENTIALS_KEY)
                    + " (expected: the Secret `isthmus multicluster link` printed; link again)");
            report.skip("clusters share trust anchors with " + cluster, "no credentials for " + cluster);
            return;
        }
        Config config;
        try {
            String kubeconfig = new String(Base64.getDecoder().decode(secret.getData().get(Names.CREDENTIALS_KEY)), StandardCharsets.UTF_8);
            config = new ConfigBuilder(Config.fromKubeconfig(kubeconfig)).withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(5_000).withRequestTimeout(10_000).build();
        } catch (RuntimeException e) {
            report.fail(check, secretName + ": the kubeconfig cannot be read: " + e.getMessage() + " (link again)");
            return;
        }
        try (KubernetesClient remote = new KubernetesClientBuilder().withConfig(config).build()) {
            try {
                remote.services().inAnyNamespace().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
                report.pass(check);
            } catch (KubernetesClientException e) {
                report.fail(check, KubeErrors.describe(e, config.getMasterUrl(), "list Services with " + secretName)
                        + (e.getCode() == 401 ? "\nthe token may have expired: link again to renew it" : ""));
                report.skip("clusters share trust anchors with " + cluster, "the credentials do not work");
                return;
            }
            sameAnchors(report, remote, cluster, localAnchors);
            adminPortPrivate(report, remote, link);
        }
    }

    /**
     * The target's gateway Service must not publish the admin port (plain HTTP, no authentication: /metrics,
     * /links, /tap, /dashboard). Installations from before {@code isthmus-gateway-admin} had it on the
     * LoadBalancer as mc-probe; a warning says how to take it off.
     */
    private static void adminPortPrivate(CheckReport report, KubernetesClient remote, LinkSettings link) {
        String check = link.clusterName() + "'s gateway Service publishes only its mTLS port";
        String namespace = link.gatewayService().namespace;
        String name = link.gatewayService().name;
        Service gateway;
        try {
            gateway = remote.services().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            report.skip(check, "Service " + namespace + "/" + name + " in " + link.clusterName() + " cannot be read: " + e.getMessage());
            return;
        }
        if (gateway == null) {
            report.skip(check, "no Service " + namespace + "/" + name + " in " + link.clusterName());
            return;
        }
        List<String> published = publishedAdminPorts(gateway);
        if (published.isEmpty()) {
            report.pass(check);
        } else {
            report.warn(check, "Service " + namespace + "/" + name + " (type " + gateway.getSpec().getType() + ") publishes "
                    + String.join(", ", published) + ", the gateway's admin port: /metrics, /links, /tap and /dashboard"
                    + " answer anyone who reaches its address",
                    "apply `isthmus --context=" + link.clusterName() + " multicluster install` again: it publishes only "
                    + Names.GATEWAY_PORT_NAME + " and keeps the admin port on the ClusterIP Service " + Names.GATEWAY_ADMIN);
        }
    }

    /**
     * The ports of a gateway Service reachable from outside the cluster that lead to the admin port: named
     * mc-probe, or aimed at the container port {@code admin} or 4191. A ClusterIP Service publishes none.
     */
    static List<String> publishedAdminPorts(Service gateway) {
        if (gateway.getSpec() == null || gateway.getSpec().getPorts() == null
                || gateway.getSpec().getType() == null || "ClusterIP".equals(gateway.getSpec().getType())) {
            return List.of();
        }
        List<String> published = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.ServicePort port : gateway.getSpec().getPorts()) {
            var target = port.getTargetPort();
            boolean admin = Names.PROBE_PORT_NAME.equals(port.getName())
                    || target != null && (Names.ADMIN_PORT_NAME.equals(target.getStrVal())
                            || target.getIntVal() != null && target.getIntVal() == Names.ADMIN_PORT)
                    || target == null && port.getPort() != null && port.getPort() == Names.ADMIN_PORT;
            if (admin) {
                published.add((port.getName() == null ? "port" : port.getName()) + " " + port.getPort());
            }
        }
        return published;
    }

    private static void sameAnchors(CheckReport report, KubernetesClient remote, String cluster, List<X509Certificate> local) {
        String check = "clusters share trust anchors with " + cluster;
        ConfigMap roots;
        try {
            roots = remote.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.TRUST_ROOTS_CONFIG_MAP).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                report.skip(check, "the link's credentials may not read ConfigMap " + Names.CONTROL_PLANE_NAMESPACE + "/"
                        + Names.TRUST_ROOTS_CONFIG_MAP + " in " + cluster + "; compare with: isthmus check --contexts <this>," + cluster);
                return;
            }
            throw e;
        }
        if (local == null) {
            report.skip(check, "this cluster's anchors could not be read (ConfigMap " + Names.CONTROL_PLANE_NAMESPACE + "/"
                    + Names.TRUST_ROOTS_CONFIG_MAP + "); run isthmus check");
            return;
        }
        if (roots == null || roots.getData() == null || roots.getData().get(Names.TRUST_ROOTS_KEY) == null) {
            report.fail(check, cluster + " has no trust anchors in ConfigMap " + Names.CONTROL_PLANE_NAMESPACE + "/"
                    + Names.TRUST_ROOTS_CONFIG_MAP + " (is Isthmus installed there?)");
            return;
        }
        List<X509Certificate> theirs;
        try {
            theirs = Pem.certificates(roots.getData().get(Names.TRUST_ROOTS_KEY), cluster + "'s trust anchors");
        } catch (PemException e) {
            report.fail(check, e.getMessage());
            return;
        }
        Set<String> mine = local.stream().map(CertificateChecks::fingerprint).collect(Collectors.toCollection(TreeSet::new));
        Set<String> other = theirs.stream().map(CertificateChecks::fingerprint).collect(Collectors.toCollection(TreeSet::new));
        if (mine.equals(other)) {
            report.pass(check);
        } else {
            List<String> hints = new ArrayList<>();
            local.stream().filter(c -> !other.contains(CertificateChecks.fingerprint(c)))
                    .forEach(c -> hints.add("only here: " + CertificateChecks.describe(c)));
            theirs.stream().filter(c -> !mine.contains(CertificateChecks.fingerprint(c)))
                    .forEach(c -> hints.add("only in " + cluster + ": " + CertificateChecks.describe(c)));
            hints.add("the gateways' mTLS needs one shared anchor: install both with the same --identity-trust-anchors-file");
            report.fail(check, hints.toArray(String[]::new));
        }
    }

    private static List<X509Certificate> anchors(KubernetesClient client) {
        try {
            ConfigMap roots = client.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.TRUST_ROOTS_CONFIG_MAP).get();
            if (roots == null || roots.getData() == null || roots.getData().get(Names.TRUST_ROOTS_KEY) == null) {
                return null;
            }
            return Pem.certificates(roots.getData().get(Names.TRUST_ROOTS_KEY), "trust anchors");
        } catch (KubernetesClientException | PemException e) {
            return null;
        }
    }

    private static void controllers(CheckReport report, KubernetesClient client, List<LinkSettings> links) {
        for (LinkSettings link : links) {
            String name = Names.mirrorController(link.linkName());
            String check = "mirror controller for " + link.clusterName() + " is available";
            Deployment deployment = client.apps().deployments().inNamespace(link.namespace()).withName(name).get();
            if (deployment == null) {
                report.fail(check, "no Deployment " + link.namespace() + "/" + name + " (expected: the controller `isthmus multicluster link` printed)");
                continue;
            }
            var status = deployment.getStatus();
            boolean available = status != null && status.getConditions() != null && status.getConditions().stream()
                    .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
            if (available) {
                report.pass(check);
            } else {
                report.fail(check, "Deployment " + link.namespace() + "/" + name + " is not Available (try: kubectl -n " + link.namespace()
                        + " describe deploy " + name + "; kubectl -n " + link.namespace() + " logs deploy/" + name + ")");
            }
        }
    }

    private static void mirrors(CheckReport report, KubernetesClient client, List<LinkSettings> links) {
        List<String> withoutEndpoints = new ArrayList<>();
        int count = 0;
        for (LinkSettings link : links) {
            for (Service service : client.services().inAnyNamespace().withLabel(Names.MIRRORED_SERVICE_LABEL, "true")
                    .withLabel(Names.CLUSTER_NAME_LABEL, link.clusterName()).list().getItems()) {
                count++;
                String ns = service.getMetadata().getNamespace();
                String name = service.getMetadata().getName();
                List<EndpointSlice> slices = client.discovery().v1().endpointSlices().inNamespace(ns)
                        .withLabel(Names.SERVICE_NAME_LABEL, name).list().getItems();
                boolean ready = slices.stream().flatMap(s -> s.getEndpoints() == null ? java.util.stream.Stream.empty() : s.getEndpoints().stream())
                        .anyMatch(e -> e.getConditions() == null || e.getConditions().getReady() == null || e.getConditions().getReady());
                if (!ready) {
                    withoutEndpoints.add(ns + "/" + name + (slices.isEmpty() ? ": no EndpointSlice" : ": no ready endpoint"));
                }
            }
        }
        if (withoutEndpoints.isEmpty()) {
            report.pass("all mirror services have ready endpoints (" + count + ")");
        } else {
            withoutEndpoints.add("a mirror is not ready when its link's gateway is dead or the remote service has no ready"
                    + " endpoints: see isthmus multicluster gateways");
            report.fail("all mirror services have ready endpoints", withoutEndpoints.toArray(String[]::new));
        }
    }
}
