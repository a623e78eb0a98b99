package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.cli.kube.Cluster;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster unlink}: run against the <em>source</em> cluster, prints what to delete to undo a
 * link: the mirror controller first (so it stops recreating mirrors), its rights and Lease, the Link and its
 * credentials, and every Service and EndpointSlice the API server holds with both mirror labels of that
 * cluster.
 */
@Command(name = "unlink", mixinStandardHelpOptions = true,
        description = {"Print the objects of a link, for `kubectl delete -f -`.",
            "",
            "  isthmus --context=west multicluster unlink --cluster-name east | kubectl --context=west delete -f -",
            ""})
public final class UnlinkCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--cluster-name", required = true, paramLabel = "<name>", description = "The linked (target) cluster's name.")
    String clusterName;

    @Option(names = "--only-controller", description = "Only the mirror controller: keep the Link, credentials and mirrors.")
    boolean onlyController;

    @Override
    public Integer call() {
        if (!clusterName.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new UserException("--cluster-name '" + clusterName + "' (expected: a DNS label, e.g. east)");
        }
        String namespace = Names.MULTICLUSTER_NAMESPACE;
        PrintWriter err = spec.commandLine().getErr();
        List<HasMetadata> objects = new ArrayList<>(LinkManifests.controller(clusterName, namespace, LinkManifests.DEFAULT_IMAGE));
        // The workload first: a controller still running would put back what is deleted after it.
        objects.sort(Comparator.comparing(o -> o.getKind().equals("Deployment") ? 0 : 1));
        try (Cluster cluster = Cluster.connect(KubeOptions.of(spec))) {
            Link link = cluster.ask("get Link " + namespace + "/" + clusterName,
                    c -> c.resources(Link.class).inNamespace(namespace).withName(clusterName).get());
            if (link == null) {
                List<String> links = cluster.links();
                err.println("‼ no Link " + namespace + "/" + clusterName + " here (Links: " + (links.isEmpty() ? "none" : String.join(", ", links))
                        + "); printing the objects such a link would have");
                err.flush();
            }
            if (!onlyController) {
                objects.add(new LeaseBuilder().withNewMetadata().withName(Names.mirrorController(clusterName)).withNamespace(namespace)
                        .endMetadata().build());
                String secret = link != null && link.getSpec() != null && link.getSpec().clusterCredentialsSecret != null
                        ? link.getSpec().clusterCredentialsSecret : Names.credentialsSecret(clusterName);
                Link stub = new Link();
                stub.getMetadata().setName(clusterName);
                stub.getMetadata().setNamespace(namespace);
                objects.add(stub);
                objects.add(new SecretBuilder().withNewMetadata().withName(secret).withNamespace(namespace).endMetadata().build());
                objects.addAll(mirrors(cluster, "discovery.k8s.io/v1", "EndpointSlice"));
                objects.addAll(mirrors(cluster, "v1", "Service"));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(Manifests.yaml(Manifests.deletionStubs(objects)));
        out.flush();
        return 0;
    }

    /** The objects carrying both mirror labels of this cluster: exactly what its controller owns. */
    private List<HasMetadata> mirrors(Cluster cluster, String apiVersion, String kind) {
        return cluster.ask("list mirrored " + kind + "s of " + clusterName, c -> c.genericKubernetesResources(apiVersion, kind)
                .inAnyNamespace().withLabel(Names.MIRRORED_SERVICE_LABEL, "true").withLabel(Names.CLUSTER_NAME_LABEL, clusterName)
                .list().getItems().stream()
                .sorted(Comparator.comparing((HasMetadata o) -> o.getMetadata().getNamespace()).thenComparing(o -> o.getMetadata().getName()))
                .map(HasMetadata.class::cast).toList());
    }
}
