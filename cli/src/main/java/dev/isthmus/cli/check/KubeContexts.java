package dev.isthmus.cli.check;

import dev.isthmus.cli.kube.KubeOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Clients for contexts other than the one {@code --context} names, with the same kubeconfig and the same
 * checks (an unknown context is refused with the list of known ones): {@link KubeOptions} parsed again
 * with {@code --context} replaced.
 */
public final class KubeContexts {

    private KubeContexts() {}

    public static KubernetesClient client(KubeOptions base, String context) {
        return options(base, context).client();
    }

    public static KubeOptions options(KubeOptions base, String context) {
        List<String> args = new ArrayList<>();
        if (base.kubeconfig() != null) {
            args.add("--kubeconfig=" + base.kubeconfig());
        }
        args.add("--context=" + context);
        return CommandLine.populateCommand(new KubeOptions(), args.toArray(String[]::new));
    }
}
