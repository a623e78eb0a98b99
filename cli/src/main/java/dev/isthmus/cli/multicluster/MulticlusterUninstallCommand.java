package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.install.InstallCommand;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.cli.kube.Cluster;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster uninstall}: prints the gateway, the remote-access credentials (the default ones
 * and those {@code allow} made) for {@code kubectl delete -f -}; refuses while Links exist, as their mirror
 * controllers and mirrored Services would be orphaned.
 */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = {"Print the multicluster objects, for `kubectl delete -f -`. Refuses while Links exist.",
            "",
            "  isthmus --context west multicluster uninstall | kubectl --context west delete -f -",
            ""})
public final class MulticlusterUninstallCommand implements Callable<Integer> {

    /** Secret too: installs before TokenRequest-only links printed a token Secret per account, and those must go. */
    private static final List<String[]> REMOTE_ACCESS_KINDS = List.of(
            new String[] {"v1", "ServiceAccount"}, new String[] {"v1", "Secret"},
            new String[] {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"});

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        InstallCommand.refuseNamespace(spec, Names.MULTICLUSTER_NAMESPACE);
        Map<String, HasMetadata> objects = new LinkedHashMap<>();
        MulticlusterManifests.names().forEach(o -> objects.put(key(o), o));
        try (Cluster cluster = Cluster.connect(KubeOptions.of(spec))) {
            List<String> links = cluster.links();
            if (!links.isEmpty()) {
                throw new UserException("Links exist: " + String.join(", ", links) + ". Unlink them first:"
                        + links.stream().map(l -> " `isthmus multicluster unlink --cluster-name " + l.substring(l.indexOf('/') + 1)
                                + " | kubectl delete -f -`").reduce("", String::concat));
            }
            for (String[] kind : REMOTE_ACCESS_KINDS) {
                cluster.labelled(kind[0], kind[1], MulticlusterManifests.REMOTE_ACCESS_LABEL, MulticlusterManifests.REMOTE_ACCESS)
                        .forEach(o -> objects.putIfAbsent(key(o), o));
            }
        }
        spec.commandLine().getOut().print(Manifests.yaml(Manifests.deletionStubs(new ArrayList<>(objects.values()))));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
