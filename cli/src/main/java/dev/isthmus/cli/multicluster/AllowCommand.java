package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus multicluster allow}: prints a remote-access ServiceAccount bound to the remote-access
 * ClusterRole, so each source cluster can watch this one with credentials of its own. It has no token Secret:
 * {@code link} gets an expiring token for it from the TokenRequest API.
 */
@Command(name = "allow", mixinStandardHelpOptions = true,
        description = {"Print a remote-access ServiceAccount for one source cluster, for `kubectl apply -f -`.",
            "",
            "  isthmus --context east multicluster allow --service-account-name west | kubectl --context east apply -f -",
            ""})
public final class AllowCommand implements Callable<Integer> {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    @Spec CommandSpec spec;

    @Option(names = "--service-account-name", required = true, paramLabel = "<name>",
            description = "Name of the ServiceAccount to create, one per source cluster (such as the source cluster's name).")
    String serviceAccount;

    @Override
    public Integer call() {
        String namespace = KubeOptions.of(spec).namespace(Names.MULTICLUSTER_NAMESPACE);
        check("--service-account-name", serviceAccount);
        check("-n/--namespace", namespace);
        spec.commandLine().getOut().print(Manifests.yaml(MulticlusterManifests.allow(serviceAccount, namespace)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static void check(String flag, String value) {
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new UserException(flag + " '" + value + "' is invalid (expected: a DNS-1123 label, 1-63 of a-z, 0-9 and '-',"
                    + " starting and ending alphanumeric)");
        }
    }
}
