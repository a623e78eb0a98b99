package dev.isthmus.cli.kube;

import dev.isthmus.cli.UserException;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --gateway-selector} and {@code --admin-port}: which gateway pods a command reaches through the API
 * server's pod proxy when no {@code --gateway-admin} is given, as a mixin of each command that does
 * ({@code isthmus stat}, {@code isthmus tap}), so they find the gateways the same way and say the same when
 * there are none.
 */
public final class GatewayPods {

    /** A source at one pod's admin port: a tap stream, a metrics scrape. */
    @FunctionalInterface
    public interface PodProxy<S> {
        S at(String namespace, String pod, int adminPort);
    }

    /** The gateway pods' label, as the manifests of {@code isthmus multicluster install} set it. */
    static final String DEFAULT_SELECTOR = "app.kubernetes.io/name=" + Names.GATEWAY;

    @Option(names = "--gateway-selector", defaultValue = DEFAULT_SELECTOR, paramLabel = "<selector>",
            description = "Label selector of the gateway pods (default: ${DEFAULT-VALUE}).")
    String selector;

    @Option(names = "--admin-port", defaultValue = "" + Names.ADMIN_PORT, paramLabel = "<port>",
            description = "The gateway pods' admin port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    /**
     * One source per running gateway pod in {@link Names#MULTICLUSTER_NAMESPACE}.
     *
     * @throws UserException when the pods cannot be listed, or none of them runs
     */
    public <S> List<S> running(KubernetesClient client, PodProxy<S> proxy) {
        List<Pod> pods;
        try {
            pods = client.pods().inNamespace(Names.MULTICLUSTER_NAMESPACE).withLabelSelector(selector).list().getItems();
        } catch (KubernetesClientException e) {
            throw KubeErrors.explain(e, client, "list the gateway pods in " + Names.MULTICLUSTER_NAMESPACE);
        }
        List<S> sources = pods.stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                .map(p -> proxy.at(Names.MULTICLUSTER_NAMESPACE, p.getMetadata().getName(), adminPort))
                .toList();
        if (sources.isEmpty()) {
            throw new UserException("no running gateway pods (" + selector + ") in namespace " + Names.MULTICLUSTER_NAMESPACE
                    + " at " + client.getConfiguration().getMasterUrl() + (pods.isEmpty() ? "" : " (" + pods.size() + " not running)")
                    + " (expected: the gateway of `isthmus multicluster install`; or pass --gateway-admin <url>)");
        }
        return sources;
    }
}
