package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.install.ControlPlane;
import dev.isthmus.cli.install.IdentityFiles;
import dev.isthmus.cli.install.InstallCommand;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.cli.kube.Cluster;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster install}: prints the gateway and the default remote-access credentials for
 * {@code kubectl apply -f -}. The trust anchors and trust domain come from the control plane in the cluster
 * ({@code --context}), as Linkerd's come from its config, unless given.
 */
@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the multicluster gateway and remote-access credentials, for `kubectl apply -f -`.",
            "The trust anchors are read from the control plane in the chosen cluster unless given.",
            "",
            "  isthmus --context east multicluster install | kubectl --context east apply -f -",
            ""})
public final class MulticlusterInstallCommand implements Callable<Integer> {

    private static final Set<String> SERVICE_TYPES = Set.of("LoadBalancer", "NodePort", "ClusterIP");

    @Spec CommandSpec spec;

    @Option(names = "--gateway-port", defaultValue = "" + Names.GATEWAY_PORT, paramLabel = "<port>",
            description = "Port of the gateway's mTLS listener, on the Service and the pods (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--gateway-probe-port", defaultValue = "" + Names.ADMIN_PORT, paramLabel = "<port>",
            description = "Port of the gateway's admin server (/ready, /live, /metrics, /links, /tap, /dashboard), on the"
                    + " ClusterIP Service " + Names.GATEWAY_ADMIN + " only: remote gateways probe over the mTLS port"
                    + " (default: ${DEFAULT-VALUE}).")
    int probePort;

    @Option(names = "--gateway-service-type", defaultValue = "LoadBalancer", paramLabel = "<type>",
            description = "Type of the gateway Service: LoadBalancer, NodePort or ClusterIP (default: ${DEFAULT-VALUE}).")
    String serviceType;

    @Option(names = "--image", paramLabel = "<image>", description = "Container image of the gateway (default: the image in deploy/).")
    String image;

    @Option(names = "--identity-trust-anchors-file", paramLabel = "<file>",
            description = "Trust anchors the gateway verifies peers against (default: read from the control plane's"
                    + " ConfigMap isthmus/isthmus-identity-trust-roots in the cluster).")
    Path anchorsFile;

    @Option(names = "--trust-domain", paramLabel = "<domain>",
            description = "Trust domain of the gateway's identity (default: the control plane's, else cluster.local).")
    String trustDomain;

    @Option(names = "--gateway-id", paramLabel = "<id>",
            description = {"This installation's id in the Forwarded header, by which its replicas recognise a request"
                    + " that comes back to them (an RFC 7239 obfuscated identifier such as _isthmus-k3j5w2q7m4xa).",
                "Default: derived from the cluster's kube-system namespace UID, so printing again keeps it; with"
                    + " --identity-trust-anchors-file the cluster is not read and a new one is made up for each print."})
    String gatewayId;

    @Option(names = "--gateway-key-exchange", paramLabel = "<groups>", split = ",",
            description = {"The TLS key exchanges the gateway offers and accepts, most preferred first, comma-separated:"
                    + " X25519MLKEM768, X25519, P-256, P-384, P-521 (tls.keyExchange in its gateway.yaml).",
                "Default: the TLS library's, the post-quantum hybrid X25519MLKEM768 first; X25519 alone costs about a"
                    + " quarter less CPU per new connection and gives up protecting recorded traffic from a quantum computer."})
    List<String> keyExchange;

    @Override
    public Integer call() {
        InstallCommand.refuseNamespace(spec, Names.MULTICLUSTER_NAMESPACE);
        checkPort("--gateway-port", gatewayPort);
        checkPort("--gateway-probe-port", probePort);
        if (gatewayPort == probePort) {
            throw new UserException("--gateway-port and --gateway-probe-port are both " + gatewayPort
                    + " (expected: two different ports)");
        }
        if (!SERVICE_TYPES.contains(serviceType)) {
            throw new UserException("--gateway-service-type " + serviceType + " (expected: LoadBalancer, NodePort or ClusterIP)");
        }
        KeyExchange groups = KeyExchange.DEFAULT;
        if (keyExchange != null) {
            try {
                groups = KeyExchange.of(keyExchange);
            } catch (IllegalArgumentException e) {
                throw new UserException("--gateway-key-exchange " + String.join(",", keyExchange) + ": " + e.getMessage());
            }
        }
        GatewayId id = null;
        if (gatewayId != null) {
            try {
                id = GatewayId.parse(gatewayId);
            } catch (IllegalArgumentException e) {
                throw new UserException("--gateway-id " + gatewayId + " (expected: an RFC 7239 obfuscated identifier, '_' and 1-63"
                        + " letters, digits, '.', '_' or '-', such as _isthmus-k3j5w2q7m4xa)");
            }
        }
        String anchorsPem;
        String domain = trustDomain;
        String clusterUid = null;
        Instant now = Instant.now();
        if (anchorsFile != null) {
            IdentityFiles.anchors(anchorsFile, now);
            anchorsPem = PemFiles.read(anchorsFile);
        } else {
            try (Cluster cluster = Cluster.connect(KubeOptions.of(spec))) {
                ConfigMap roots = cluster.configMap(Names.CONTROL_PLANE_NAMESPACE, Names.TRUST_ROOTS_CONFIG_MAP);
                String source = "ConfigMap " + Names.CONTROL_PLANE_NAMESPACE + "/" + Names.TRUST_ROOTS_CONFIG_MAP;
                if (roots == null || roots.getData() == null || roots.getData().get(Names.TRUST_ROOTS_KEY) == null) {
                    throw new UserException("the control plane is not installed: " + source + (roots == null ? " not found" :
                            " has no " + Names.TRUST_ROOTS_KEY) + "; install it first (`isthmus install --identity-... |"
                            + " kubectl apply -f -`), or pass --identity-trust-anchors-file");
                }
                anchorsPem = roots.getData().get(Names.TRUST_ROOTS_KEY);
                try {
                    new TrustAnchors(Pem.certificates(anchorsPem, source), source);
                } catch (PemException | InvalidAuthorityException e) {
                    throw new UserException(e.getMessage() + "; reinstall the control plane with valid anchors,"
                            + " or pass --identity-trust-anchors-file");
                }
                if (domain == null && roots.getMetadata().getAnnotations() != null) {
                    domain = roots.getMetadata().getAnnotations().get(ControlPlane.TRUST_DOMAIN_ANNOTATION);
                }
                if (id == null) {
                    clusterUid = kubeSystemUid(cluster);
                }
            }
        }
        domain = InstallCommand.checkTrustDomain(domain != null ? domain : SpiffeId.DEFAULT_TRUST_DOMAIN);
        if (id == null && clusterUid != null) {
            id = GatewayId.derivedFrom(domain, Names.MULTICLUSTER_NAMESPACE, clusterUid);
        } else if (id == null) {
            id = GatewayId.random();
            spec.commandLine().getErr().printf("multicluster install: the gateway id %s is new with this print (the cluster was not"
                    + " read); to keep it when printing again, pass --gateway-id %s%n", id, id);
            spec.commandLine().getErr().flush();
        }
        MulticlusterManifests.Settings settings = new MulticlusterManifests.Settings(
                image != null ? image : MulticlusterManifests.defaultImage(), gatewayPort, probePort, serviceType, domain, anchorsPem,
                id, groups);
        spec.commandLine().getOut().print(Manifests.yaml(MulticlusterManifests.objects(settings)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * What names this cluster and no other: the kube-system namespace's UID, which lives as long as the cluster
     * (the cluster ID other multicluster tools use too). Reading it needs only {@code get namespaces}.
     */
    private static String kubeSystemUid(Cluster cluster) {
        Namespace kubeSystem = cluster.ask("get namespace kube-system", c -> c.namespaces().withName("kube-system").get());
        if (kubeSystem == null || kubeSystem.getMetadata().getUid() == null) {
            throw new UserException("namespace kube-system: not found (expected in every cluster: its UID names the cluster"
                    + " in the gateway id); pass --gateway-id");
        }
        return kubeSystem.getMetadata().getUid();
    }

    private static void checkPort(String flag, int port) {
        if (port < 1 || port > 65535) {
            throw new UserException(flag + " " + port + " (expected: 1-65535)");
        }
    }
}
