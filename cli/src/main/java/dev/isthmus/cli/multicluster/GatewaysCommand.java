package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.kube.Cluster;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster gateways}: per Link, whether its gateway is alive and how fast it answers (the
 * Link's status, which its mirror controller writes from the local gateway's probes), and how many Services
 * are mirrored from it.
 */
@Command(name = "gateways", mixinStandardHelpOptions = true,
        description = "Show the linked clusters' gateways: alive, mirrored services, probe latency.")
public final class GatewaysCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        KubeOptions kube = KubeOptions.of(spec);
        String namespace = kube.namespace(Names.MULTICLUSTER_NAMESPACE);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CLUSTER", "ALIVE", "NUM_SVC", "LATENCY"});
        try (Cluster cluster = Cluster.connect(kube)) {
            List<Link> links = cluster.ask("list Links in " + namespace,
                    c -> c.resources(Link.class).inNamespace(namespace).list().getItems());
            links.sort(Comparator.comparing(l -> l.getMetadata().getName()));
            for (Link link : links) {
                String name = link.getSpec() != null && link.getSpec().targetClusterName != null
                        ? link.getSpec().targetClusterName : link.getMetadata().getName();
                int services = cluster.ask("list the Services mirrored from " + name, c -> c.services().inAnyNamespace()
                        .withLabel(Names.MIRRORED_SERVICE_LABEL, "true").withLabel(Names.CLUSTER_NAME_LABEL, name)
                        .list().getItems().size());
                LinkStatus.GatewayHealth health = link.getStatus() == null ? null : link.getStatus().gateway;
                Boolean alive = health == null ? null : health.alive;
                rows.add(new String[] {name, alive == null ? "unknown" : alive ? "True" : "False", String.valueOf(services),
                        Boolean.TRUE.equals(alive) && health.latencyMs != null ? latency(health.latencyMs) : "-"});
            }
            PrintWriter out = spec.commandLine().getOut();
            if (links.isEmpty()) {
                out.println("No Links in namespace " + namespace + " (link a cluster with `isthmus multicluster link`)");
                out.flush();
                return 0;
            }
            print(rows, out);
        }
        return 0;
    }

    static String latency(double ms) {
        return ms < 10 ? String.format(Locale.ROOT, "%.1fms", ms) : String.format(Locale.ROOT, "%.0fms", ms);
    }

    static void print(List<String[]> rows, PrintWriter out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 3) + "s", row[i]));
            }
            out.println(line);
        }
        out.flush();
    }
}
