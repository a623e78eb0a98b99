package dev.isthmus.cli.kube;

import dev.isthmus.cli.UserException;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.function.Function;

/**
 * The questions the CLI asks one cluster's API server, each failing with a message that names the server
 * and says what to check, instead of a client stack trace.
 */
public final class Cluster implements AutoCloseable {

    private final KubernetesClient client;
    private final String describedAs;

    private Cluster(KubernetesClient client, String describedAs) {
        this.client = client;
        this.describedAs = describedAs;
    }

    /** The cluster {@code --kubeconfig}/{@code --context} choose. */
    public static Cluster connect(KubeOptions options) {
        KubernetesClient client = options.client();
        String context = options.context() != null ? "context " + options.context() : "the current context";
        return new Cluster(client, client.getConfiguration().getMasterUrl() + " (" + context + ")");
    }

    public KubernetesClient client() {
        return client;
    }

    /** The Links in every namespace, as {@code namespace/name}; none when the Link CRD is not installed. */
    public List<String> links() {
        return ask("list Links", c -> {
            try {
                return c.genericKubernetesResources(Names.LINK_GROUP + "/" + Names.LINK_VERSION, Names.LINK_KIND)
                        .inAnyNamespace().list().getItems().stream()
                        .map(l -> l.getMetadata().getNamespace() + "/" + l.getMetadata().getName()).sorted().toList();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return List.of();
                }
                throw e;
            }
        });
    }

    /** Whether the namespace exists and is not being deleted. */
    public boolean namespaceActive(String name) {
        return ask("get namespace " + name, c -> {
            var namespace = c.namespaces().withName(name).get();
            return namespace != null && namespace.getMetadata().getDeletionTimestamp() == null;
        });
    }

    /** The ConfigMap, or null when it does not exist. */
    public ConfigMap configMap(String namespace, String name) {
        return ask("get ConfigMap " + namespace + "/" + name, c -> c.configMaps().inNamespace(namespace).withName(name).get());
    }

    /** Objects of {@code apiVersion}/{@code kind} carrying {@code label=value}, in any namespace. */
    public List<GenericKubernetesResource> labelled(String apiVersion, String kind, String label, String value) {
        return ask("list " + kind, c -> c.genericKubernetesResources(apiVersion, kind).inAnyNamespace()
                .withLabel(label, value).list().getItems());
    }

    /** Runs one request, turning the client's failure into what the user should check ({@link KubeErrors}). */
    public <T> T ask(String what, Function<KubernetesClient, T> request) {
        try {
            return request.apply(client);
        } catch (KubernetesClientException e) {
            throw new UserException(KubeErrors.describe(e, describedAs, what));
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
