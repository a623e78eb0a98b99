package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.cli.kube.KubeErrors;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.link.RemoteAccess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster link}: run against the <em>target</em> cluster, prints what the source cluster
 * needs to mirror it: the credentials Secret (a kubeconfig with a token of the target's remote-access
 * ServiceAccount), the Link, and the link's mirror controller.
 */
@Command(name = "link", mixinStandardHelpOptions = true,
        description = {"Print the credentials, Link and mirror controller that link a source cluster to this (target) one.",
            "",
            "  isthmus --context=east multicluster link --cluster-name east | kubectl --context=west apply -f -",
            ""})
public final class LinkCommand implements Callable<Integer> {

    static final String GATEWAY_IDENTITY_ANNOTATION = "mirror.isthmus.dev/gateway-identity";
    static final String PROBE_PATH_ANNOTATION = "mirror.isthmus.dev/probe-path";
    static final String PROBE_PERIOD_ANNOTATION = "mirror.isthmus.dev/probe-period";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");

    @Spec CommandSpec spec;

    @Option(names = "--cluster-name", required = true, paramLabel = "<name>",
            description = "The target cluster's name: the Link's name and the suffix of its mirrored services.")
    String clusterName;

    @Option(names = "--gateway-addresses", paramLabel = "<addresses>",
            description = "Comma-separated IPs or host names of the target's gateway (default: follow its Service's load balancer).")
    String gatewayAddresses;

    @Option(names = "--gateway-port", paramLabel = "<port>",
            description = "The target gateway's mTLS port (default: its Service's mc-gateway port, else 4143).")
    Integer gatewayPort;

    @Option(names = {"-l", "--selector"}, defaultValue = Names.EXPORTED_LABEL + "=true", paramLabel = "<selector>",
            description = "Which of the target's Services to mirror (default: ${DEFAULT-VALUE}).")
    String selector;

    @Option(names = "--api-server-address", paramLabel = "<url>",
            description = "The target's API server as the source cluster reaches it (default: the kubeconfig's server).")
    String apiServerAddress;

    @Option(names = "--cluster-domain", defaultValue = "cluster.local", paramLabel = "<domain>",
            description = "The target's cluster domain (default: ${DEFAULT-VALUE}).")
    String clusterDomain;

    @Option(names = "--trust-domain", defaultValue = "cluster.local", paramLabel = "<domain>",
            description = "The gateway identity's trust domain, when its Service does not say (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(names = "--service-account-name", defaultValue = RemoteAccess.SERVICE_ACCOUNT, paramLabel = "<name>",
            description = "The target's remote-access ServiceAccount in " + Names.MULTICLUSTER_NAMESPACE + " (default: ${DEFAULT-VALUE}).")
    String serviceAccount;

    @Option(names = "--token-lifetime", defaultValue = "8760h", paramLabel = "<duration>",
            description = "How long the credentials' token is valid (default: ${DEFAULT-VALUE}); link again to renew it.")
    Duration tokenLifetime;

    @Option(names = "--excluded-labels", split = ",", paramLabel = "<key>", description = "Label keys not copied to mirrors.")
    List<String> excludedLabels = new ArrayList<>();

    @Option(names = "--excluded-annotations", split = ",", paramLabel = "<key>", description = "Annotation keys not copied to mirrors.")
    List<String> excludedAnnotations = new ArrayList<>();

    @Option(names = "--image", defaultValue = LinkManifests.DEFAULT_IMAGE, paramLabel = "<image>",
            description = "The mirror controller's image (default: ${DEFAULT-VALUE}).")
    String image;

    @Override
    public Integer call() {
        if (!DNS_LABEL.matcher(clusterName).matches()) {
            throw new UserException("--cluster-name '" + clusterName + "' (expected: a DNS label of at most 40 characters, e.g. east)");
        }
        if (gatewayPort != null && (gatewayPort < 1 || gatewayPort > 65535)) {
            throw new UserException("--gateway-port " + gatewayPort + " (expected: 1-65535)");
        }
        if (tokenLifetime.toSeconds() < 600) {
            throw new UserException("--token-lifetime " + tokenLifetime + " (expected: at least 10m; the API server refuses shorter)");
        }
        var labelSelector = LinkSelector.parse(selector);
        Config config = KubeOptions.of(spec).config();
        URI server = server(config);
        String caPem = caPem(config);
        PrintWriter err = spec.commandLine().getErr();

        String token;
        Service gateway;
        try (KubernetesClient target = new KubernetesClientBuilder().withConfig(config).build()) {
            gateway = get(target, () -> target.services().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(Names.GATEWAY).get(),
                    "get the gateway Service " + Names.MULTICLUSTER_NAMESPACE + "/" + Names.GATEWAY);
            var account = get(target, () -> target.serviceAccounts().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(serviceAccount).get(),
                    "get the ServiceAccount " + Names.MULTICLUSTER_NAMESPACE + "/" + serviceAccount);
            if (account == null) {
                throw new UserException("no ServiceAccount " + Names.MULTICLUSTER_NAMESPACE + "/" + serviceAccount + " at "
                        + config.getMasterUrl() + " (expected: `isthmus multicluster install` applied to this, the target, cluster"
                        + (serviceAccount.equals(RemoteAccess.SERVICE_ACCOUNT) ? "" : ", or `isthmus multicluster allow --service-account-name "
                        + serviceAccount + "`") + ")");
            }
            token = get(target, () -> token(target), "request a token for ServiceAccount " + Names.MULTICLUSTER_NAMESPACE + "/" + serviceAccount);
        }
        if (gateway == null && gatewayAddresses == null) {
            throw new UserException("no gateway Service " + Names.MULTICLUSTER_NAMESPACE + "/" + Names.GATEWAY + " at " + config.getMasterUrl()
                    + " (expected: `isthmus multicluster install` applied to this, the target, cluster; or pass --gateway-addresses)");
        }

        Link link = link(gateway, labelSelector);
        try {
            LinkSettings.of(link);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        String kubeconfig;
        try {
            kubeconfig = RemoteAccess.kubeconfig(clusterName, server, caPem, token);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(RemoteAccess.credentialsSecret(clusterName, Names.MULTICLUSTER_NAMESPACE, kubeconfig));
        objects.add(link);
        objects.addAll(LinkManifests.controller(clusterName, Names.MULTICLUSTER_NAMESPACE, image));
        PrintWriter out = spec.commandLine().getOut();
        out.print(Manifests.yaml(objects));
        out.flush();
        if (apiServerAddress == null && loopback(server)) {
            // Local clusters (k3d, kind, Testcontainers) publish their API servers on this host's loopback; the
            // mirror in the source cluster's pod would dial itself. Warned, not refused: the output may be meant
            // for a cluster on this same host's network.
            err.println("‼ the kubeconfig's server " + server + " is a loopback address, which the source cluster's mirror"
                    + " cannot reach; link again with --api-server-address https://<" + clusterName + "'s API server as the"
                    + " source cluster reaches it>");
        }
        note(err, gateway);
        return 0;
    }

    private String token(KubernetesClient target) {
        if (serviceAccount.equals(RemoteAccess.SERVICE_ACCOUNT)) {
            return RemoteAccess.token(target, tokenLifetime);
        }
        var request = new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec()
                .withExpirationSeconds(tokenLifetime.toSeconds()).endSpec().build();
        return target.serviceAccounts().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(serviceAccount)
                .tokenRequest(request).getStatus().getToken();
    }

    Link link(Service gateway, io.fabric8.kubernetes.api.model.LabelSelector labelSelector) {
        Map<String, String> annotations = gateway == null || gateway.getMetadata().getAnnotations() == null
                ? Map.of() : gateway.getMetadata().getAnnotations();
        LinkSpec spec = new LinkSpec();
        spec.targetClusterName = clusterName;
        spec.targetClusterDomain = clusterDomain;
        spec.clusterCredentialsSecret = Names.credentialsSecret(clusterName);
        spec.gatewayAddress = gatewayAddresses;
        spec.gatewayPort = gatewayPort != null ? gatewayPort : port(gateway, Names.GATEWAY_PORT_NAME, Names.GATEWAY_PORT);
        spec.gatewayIdentity = annotations.getOrDefault(GATEWAY_IDENTITY_ANNOTATION, Names.gatewayIdentity(trustDomain));
        spec.gatewayService = new LinkSpec.ObjectRef(Names.MULTICLUSTER_NAMESPACE, Names.GATEWAY);
        spec.probeSpec = new LinkSpec.ProbeSpec();
        spec.probeSpec.port = probePort(gateway, annotations);
        spec.probeSpec.path = annotations.getOrDefault(PROBE_PATH_ANNOTATION, spec.probeSpec.path);
        String period = annotations.get(PROBE_PERIOD_ANNOTATION);
        if (period != null && period.matches("\\d+")) {
            spec.probeSpec.period = period + "s";
        }
        spec.selector = labelSelector;
        spec.excludedLabels = excludedLabels;
        spec.excludedAnnotations = excludedAnnotations;
        Link link = new Link();
        link.getMetadata().setName(clusterName);
        link.getMetadata().setNamespace(Names.MULTICLUSTER_NAMESPACE);
        link.getMetadata().setLabels(Map.of("app.kubernetes.io/part-of", "isthmus"));
        link.setSpec(spec);
        return link;
    }

    /**
     * The target's admin port: the Service's {@code probe-port} annotation; an installation from before it had
     * the port on the LoadBalancer as {@code mc-probe}; else the default. The probe itself travels over mTLS
     * on mc-gateway to {@code probe.isthmus.gateway}, so this port is the Link's record, as Linkerd's has it.
     */
    private static int probePort(Service gateway, Map<String, String> annotations) {
        String annotated = annotations.get(MulticlusterManifests.PROBE_PORT_ANNOTATION);
        if (annotated != null) {
            try {
                int port = Integer.parseInt(annotated.trim());
                if (port >= 1 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new UserException("the gateway Service " + Names.MULTICLUSTER_NAMESPACE + "/" + Names.GATEWAY + " annotation "
                    + MulticlusterManifests.PROBE_PORT_ANNOTATION + ": " + annotated + " (expected: a port, 1-65535)");
        }
        return port(gateway, Names.PROBE_PORT_NAME, Names.ADMIN_PORT);
    }

    private static int port(Service gateway, String name, int fallback) {
        if (gateway == null || gateway.getSpec() == null || gateway.getSpec().getPorts() == null) {
            return fallback;
        }
        return gateway.getSpec().getPorts().stream().filter(p -> name.equals(p.getName())).map(ServicePort::getPort)
                .findFirst().orElse(fallback);
    }

    private void note(PrintWriter err, Service gateway) {
        if (gatewayAddresses != null) {
            return;
        }
        List<String> now = new ArrayList<>();
        var status = gateway.getStatus();
        if (status != null && status.getLoadBalancer() != null && status.getLoadBalancer().getIngress() != null) {
            status.getLoadBalancer().getIngress().forEach(i -> now.add(i.getIp() != null ? i.getIp() : i.getHostname()));
        }
        if (now.isEmpty()) {
            err.println("‼ the gateway Service " + Names.MULTICLUSTER_NAMESPACE + "/" + Names.GATEWAY + " of " + clusterName
                    + " has no load-balancer address yet; the Link follows it once it has one (or link again with --gateway-addresses)");
        }
        err.flush();
    }

    static boolean loopback(URI server) {
        if (server.getHost() == null) {
            return false;
        }
        String host = server.getHost().replaceAll("^\\[|\\]$", "");
        if (host.equalsIgnoreCase("localhost") || host.toLowerCase(Locale.ROOT).endsWith(".localhost")) {
            return true;
        }
        // Only literal addresses: resolving a name here would ask DNS on the user's machine, not the cluster's.
        return host.matches("127(\\.\\d{1,3}){3}") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }

    private URI server(Config config) {
        String url = apiServerAddress != null ? apiServerAddress : config.getMasterUrl();
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UserException((apiServerAddress != null ? "--api-server-address " : "the kubeconfig's server ") + url
                    + " (expected: https://<host>:<port>, the target's API server as the source cluster reaches it)");
        }
    }

    private static String caPem(Config config) {
        try {
            if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
                return new String(Base64.getDecoder().decode(config.getCaCertData().strip()), StandardCharsets.UTF_8);
            }
            if (config.getCaCertFile() != null && !config.getCaCertFile().isBlank()) {
                return Files.readString(Path.of(config.getCaCertFile()), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException("the kubeconfig's certificate-authority cannot be read: " + e.getMessage()
                    + " (expected: certificate-authority-data or a readable certificate-authority file)");
        }
        throw new UserException("the kubeconfig's cluster has no certificate-authority (expected: certificate-authority-data or"
                + " certificate-authority, which the source cluster's mirror needs to trust the target's API server)");
    }

    private static <T> T get(KubernetesClient client, java.util.function.Supplier<T> request, String what) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw KubeErrors.explain(e, client, what);
        }
    }
}
