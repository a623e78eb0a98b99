package dev.isthmus.cli.install;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.Cluster;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus uninstall}: prints the control plane and the CRDs for {@code kubectl delete -f -}. Deleting
 * the CRDs deletes every Link, so it refuses while the multicluster extension is installed or Links exist.
 */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = {"Print the control plane and CRDs, for `kubectl delete -f -`.",
            "Refuses while the multicluster extension or any Link is installed: uninstall that first.",
            "",
            "  isthmus --context west uninstall | kubectl --context west delete -f -",
            ""})
public final class UninstallCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        InstallCommand.refuseNamespace(spec, Names.CONTROL_PLANE_NAMESPACE);
        try (Cluster cluster = Cluster.connect(KubeOptions.of(spec))) {
            List<String> links = cluster.links();
            if (!links.isEmpty()) {
                throw new UserException("Links exist: " + String.join(", ", links) + "; deleting the CRDs would delete them."
                        + " Unlink each first (`isthmus multicluster unlink --cluster-name <name>`), then run"
                        + " `isthmus multicluster uninstall`");
            }
            if (cluster.namespaceActive(Names.MULTICLUSTER_NAMESPACE)) {
                throw new UserException("the multicluster extension is installed (namespace " + Names.MULTICLUSTER_NAMESPACE
                        + " exists); uninstall it first: `isthmus multicluster uninstall | kubectl delete -f -`");
            }
        }
        List<HasMetadata> objects = new ArrayList<>(ControlPlane.names());
        objects.addAll(Crds.objects());
        spec.commandLine().getOut().print(Manifests.yaml(Manifests.deletionStubs(objects)));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
