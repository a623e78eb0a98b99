package dev.isthmus.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.install.Helm;
import dev.isthmus.testkit.k3s.TwoClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Install with Helm" in two real k3s clusters: {@code helm install} of deploy/helm/isthmus in
 * both, {@code isthmus check} in both, the gateway id Helm derived equal to the one {@code multicluster install}
 * derives, and then the walkthrough's link and export across the two clusters Helm installed: the link is
 * alive, {@code multicluster check} passes, and west's frontend gets east's podinfo. Each README command is
 * checked to be in the README word for word.
 */
class HelmInstallE2EIT {

    static final String HEADING = "## Install with Helm";
    static final String CERTIFICATES = """
            isthmus certs root   --cert root.crt --key root.key
            isthmus certs issuer --ca-cert root.crt --ca-key root.key --cert issuer.crt --key issuer.key""";
    static final String HELM_INSTALL = """
            for ctx in west east; do
              helm --kube-context=${ctx} install isthmus deploy/helm/isthmus \\
                --set-file identityTrustAnchorsPEM=root.crt \\
                --set-file identity.issuer.tls.crtPEM=issuer.crt \\
                --set-file identity.issuer.tls.keyPEM=issuer.key \\
                --wait --timeout 10m || break
              isthmus --context=${ctx} check || break
            done""";
    static final String HELM_UNINSTALL = """
            for ctx in west east; do
              helm --kube-context=${ctx} uninstall isthmus --wait || break
            done""";

    private static final Pattern ALIVE = Pattern.compile("(?m)^east\\s+True\\s+\\d+\\s+[0-9.]+ms\\s*$");
    private static final Pattern ID = Pattern.compile("(?m)^\\s*id: (_isthmus-[a-z2-7]{12})$");
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @TempDir Path dir;

    @AfterEach
    void unlinkDeploy() throws IOException {
        Files.deleteIfExists(dir.resolve("deploy"));
        Files.deleteIfExists(dir.resolve("bin/kubectl"));
        Files.deleteIfExists(dir.resolve("bin/helm"));
    }

    @Test
    void everyCommandIsInTheReadmeAsWritten() {
        readme(CERTIFICATES);
        readme(HELM_INSTALL);
        readme(HELM_UNINSTALL);
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void helmInstallsTheChartInTwoK3sClustersAndTheWalkthroughsChecksPass() throws Exception {
        Optional<String> unavailable = TwoClusters.unavailable();
        if (unavailable.isPresent() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("the k3s test environment cannot run: " + unavailable.get());
        }
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "the k3s test environment cannot run: " + unavailable.orElse(""));
        Path helm = Helm.assumeAvailable();
        try (TwoClusters clusters = TwoClusters.start()) {
            Path kubeconfig = Files.copy(clusters.kubeconfig(), dir.resolve("kubeconfig"));
            Shell shell = shell(kubeconfig, clusters.kubectl(), helm);
            try {
                walk(shell, clusters);
            } catch (AssertionError | RuntimeException e) {
                diagnose(shell);
                throw e;
            }
        }
    }

    private static void walk(Shell shell, TwoClusters clusters) {
        for (String cluster : List.of("east", "west")) {
            // link writes the kubeconfig's server into west's credentials: it must be an address west's pods reach.
            String name = shell.ok("kubectl config view -o 'jsonpath={.contexts[?(@.name==\"" + cluster + "\")].context.cluster}'").trim();
            String server = shell.ok("kubectl config view -o 'jsonpath={.clusters[?(@.name==\"" + name + "\")].cluster.server}'").trim();
            if (server.matches("https://(127\\.[0-9.]+|localhost|\\[::1\\]):\\d+/?")) {
                shell.ok("kubectl config set-cluster " + name + " --server=https://" + clusters.nodeAddress(cluster) + ":6443");
            }
        }
        shell.ok(readme(CERTIFICATES));
        String installed = shell.ok(readme(HELM_INSTALL));
        assertThat(count(installed, "STATUS: deployed")).as("helm install in both clusters:%n%s", installed).isEqualTo(2);
        assertThat(count(installed, "Status check results are √")).as("isthmus check in both clusters:%n%s", installed).isEqualTo(2);
        allPassed(installed);
        allPassed(shell.ok("isthmus check --contexts east,west"));

        for (String cluster : List.of("east", "west")) {
            // The chart derived the gateway id from the cluster as `multicluster install` does: printing again keeps it.
            String helmId = id(shell.ok("kubectl --context=" + cluster + " -n isthmus-multicluster get configmap isthmus-gateway-config"
                    + " -o 'jsonpath={.data.gateway\\.yaml}'"));
            String cliId = id(shell.ok("isthmus --context=" + cluster + " multicluster install 2>/dev/null"));
            assertThat(helmId).as("%s: the id Helm installed vs the one `multicluster install` prints", cluster).isEqualTo(cliId);
            shell.ok("kubectl --context=" + cluster + " -n isthmus-multicluster rollout status deploy/isthmus-gateway");
        }

        shell.ok("""
                for ctx in west east; do
                  kubectl --context=${ctx} apply -k deploy/test-services/${ctx}
                  kubectl --context=${ctx} -n test rollout status deploy/podinfo || break
                  kubectl --context=${ctx} -n test rollout status deploy/frontend || break
                done""");
        String linked = shell.ok("""
                isthmus --context=east multicluster link --cluster-name east | kubectl --context=west apply -f -
                kubectl --context=west -n isthmus-multicluster rollout status deploy/isthmus-mirror-east""");
        assertThat(linked).contains("link.multicluster.isthmus.dev/east created", "successfully rolled out");
        eventually(shell, "east's gateway alive, with a latency", "isthmus --context=west multicluster gateways",
                r -> r.exit() == 0 && ALIVE.matcher(r.out()).find());
        allPassed(eventually(shell, "multicluster check all √", "isthmus --context=west multicluster check",
                r -> r.exit() == 0 && r.out().contains("Status check results are √")));

        shell.ok("kubectl --context=east label svc -n test podinfo mirror.isthmus.dev/exported=true");
        String answer = eventually(shell, "podinfo in east answers frontend in west",
                "kubectl --context=west -n test exec deploy/frontend -- curl -s http://podinfo-east:9898",
                r -> r.exit() == 0 && r.out().contains("greetings from"));
        assertThat(answer).contains("greetings from east");

        shell.ok("isthmus --context=west multicluster unlink --cluster-name east | kubectl --context=west delete -f -");
        shell.ok(readme(HELM_UNINSTALL));
        for (String cluster : List.of("east", "west")) {
            eventually(shell, cluster + ": the chart's namespaces gone", "kubectl --context=" + cluster
                    + " get namespace isthmus isthmus-multicluster --ignore-not-found -o name", r -> r.exit() == 0 && r.out().isBlank());
        }
    }

    private static String id(String text) {
        Matcher matcher = ID.matcher(text);
        assertThat(matcher.find()).as("a gateway id in:%n%s", text).isTrue();
        return matcher.group(1);
    }

    private static String readme(String snippet) {
        return ReadmeWalkthrough.read(REPOSITORY, HEADING).command(snippet);
    }

    private static void diagnose(Shell shell) {
        for (String cluster : List.of("east", "west")) {
            shell.run("helm --kube-context=" + cluster + " list -A 2>&1; helm --kube-context=" + cluster + " status isthmus 2>&1 | head -30");
            for (String namespace : List.of("isthmus", "isthmus-multicluster", "test")) {
                String k = "kubectl --context=" + cluster + " -n " + namespace;
                shell.run(k + " get all,endpointslices,events -o wide 2>&1; for p in $(" + k + " get pods -o name); do echo \"--- $p\"; "
                        + k + " describe $p | tail -25; " + k + " logs $p --all-containers --prefix --tail=100; done", Duration.ofMinutes(2));
            }
        }
    }

    private static String eventually(Shell shell, String what, String command, Predicate<Shell.Result> done) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Shell.Result last = shell.run(command);
            if (done.test(last)) {
                return last.out();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 2 minutes; last:\n" + last);
            }
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static void allPassed(String checkOutput) {
        Shell.allPassed(checkOutput);
    }

    private static int count(String text, String what) {
        Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    /** bash in {@link #dir}, as a user's folder: bin/isthmus, kubectl and helm first on PATH. */
    private Shell shell(Path kubeconfig, Path kubectl, Path helm) throws IOException {
        // helm's repositories, plugins and cache in the test's folder, not the user's.
        return Shell.inUserFolder(dir, REPOSITORY, kubeconfig, Map.of("kubectl", kubectl, "helm", helm), Map.of(
                "HELM_CACHE_HOME", dir.resolve("helm/cache").toString(),
                "HELM_CONFIG_HOME", dir.resolve("helm/config").toString(),
                "HELM_DATA_HOME", dir.resolve("helm/data").toString()));
    }
}
