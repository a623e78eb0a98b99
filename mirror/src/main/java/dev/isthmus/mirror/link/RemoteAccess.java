package dev.isthmus.mirror.link;

import static java.util.Objects.requireNonNull;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The credentials a source cluster's mirror controller uses in a target cluster: a ServiceAccount that
 * may only read Services and EndpointSlices, record Events and read the trust anchors (the objects of
 * deploy/multicluster/remote-access.yaml), and a kubeconfig holding its token, stored in the source
 * cluster as the Link's credentials Secret.
 */
public final class RemoteAccess {

    public static final String SERVICE_ACCOUNT = "isthmus-mirror-remote-access";
    public static final String RBAC_RESOURCE = "/dev/isthmus/mirror/rbac/remote-access.yaml";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]+");

    private RemoteAccess() {}

    /** The target cluster's RBAC objects as YAML, for {@code multicluster install} to print. */
    public static String rbacYaml() {
        try (InputStream in = RemoteAccess.class.getResourceAsStream(RBAC_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RBAC_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates or updates the ServiceAccount, ClusterRole and ClusterRoleBinding in the target. */
    public static void install(KubernetesClient target) {
        try {
            target.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                    .withName(Names.MULTICLUSTER_NAMESPACE).endMetadata().build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        List<HasMetadata> objects = target.load(new ByteArrayInputStream(rbacYaml().getBytes(StandardCharsets.UTF_8))).items();
        for (HasMetadata object : objects) {
            target.resource(object).forceConflicts().fieldManager("isthmus").serverSideApply();
        }
    }

    /** A token for the ServiceAccount, through the TokenRequest API, valid for {@code lifetime}. */
    public static String token(KubernetesClient target, Duration lifetime) {
        TokenRequest request = new TokenRequestBuilder().withNewSpec()
                .withExpirationSeconds(lifetime.toSeconds()).endSpec().build();
        return target.serviceAccounts().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(SERVICE_ACCOUNT)
                .tokenRequest(request).getStatus().getToken();
    }

    /**
     * A kubeconfig that reaches {@code server} as the bearer of {@code token}.
     *
     * @param caPem the PEM certificates that sign the API server's serving certificate
     */
    public static String kubeconfig(String clusterName, URI server, String caPem, String token) {
        requireNonNull(clusterName, "clusterName");
        requireNonNull(server, "server");
        requireNonNull(caPem, "caPem");
        requireNonNull(token, "token");
        if (!"https".equals(server.getScheme())) {
            throw new IllegalArgumentException("server: " + server + " (expected: an https:// URL of the target's API server)");
        }
        if (!SAFE.matcher(server.toString()).matches() || !SAFE.matcher(token).matches()
                || !clusterName.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new IllegalArgumentException("cluster name, server or token contains characters a kubeconfig"
                    + " cannot hold unquoted (expected: a DNS label, a URL, a JWT)");
        }
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        String user = SERVICE_ACCOUNT + "@" + clusterName;
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + clusterName + "\n"
                + "  cluster:\n"
                + "    server: " + server + "\n"
                + "    certificate-authority-data: " + ca + "\n"
                + "users:\n"
                + "- name: " + user + "\n"
                + "  user:\n"
                + "    token: " + token + "\n"
                + "contexts:\n"
                + "- name: " + clusterName + "\n"
                + "  context:\n"
                + "    cluster: " + clusterName + "\n"
                + "    user: " + user + "\n"
                + "current-context: " + clusterName + "\n";
    }

    /** The Link's credentials Secret in the source cluster. */
    public static Secret credentialsSecret(String linkName, String namespace, String kubeconfig) {
        return new SecretBuilder()
                .withNewMetadata().withName(Names.credentialsSecret(linkName)).withNamespace(namespace)
                .withLabels(Map.of(Names.CLUSTER_NAME_LABEL, linkName)).endMetadata()
                .withType(Names.CREDENTIALS_SECRET_TYPE)
                .withData(Map.of(Names.CREDENTIALS_KEY,
                        Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))))
                .build();
    }
}
