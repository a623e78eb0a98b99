package dev.isthmus.mirror.routes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A client of the gateway's own cluster, as {@code routes.kubernetes} in gateway.yaml says to reach it. */
public final class ClusterClients {

    private ClusterClients() {}

    /**
     * @param kubeconfig a kubeconfig file, or {@code null}: the pod's service account, else {@code ~/.kube/config}
     * @param context a context of it, or {@code null} for its current one
     * @throws IllegalArgumentException when the kubeconfig cannot be read or lacks the context
     */
    public static KubernetesClient connect(Path kubeconfig, String context) {
        Config config;
        if (kubeconfig == null) {
            config = Config.autoConfigure(context);
        } else {
            String contents;
            try {
                contents = Files.readString(kubeconfig);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("kubeconfig: " + kubeconfig + ": no such file (expected a kubeconfig file)");
            } catch (IOException e) {
                throw new IllegalArgumentException("kubeconfig: " + kubeconfig + ": cannot be read: " + e.getMessage());
            }
            try {
                config = Config.fromKubeconfig(context, contents, kubeconfig.toString());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("kubeconfig: " + kubeconfig + (context == null ? "" : ", context " + context)
                        + ": " + e.getMessage() + " (expected a kubeconfig file)");
            }
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
