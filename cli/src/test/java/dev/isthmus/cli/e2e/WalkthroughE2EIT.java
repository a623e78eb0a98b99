package dev.isthmus.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.testkit.k3s.TwoClusters;
import dev.isthmus.testkit.kube.KubeApiServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walkthrough (Linkerd's multicluster guide with {@code isthmus} in place of {@code linkerd}) in
 * two real k3s clusters, {@code east} and {@code west}, with every component running in pods from the image
 * built from the project's Dockerfile. Each command is the README's own ({@link Readme}: a test fails if one
 * is not in the README word for word), run through bash with {@code KUBECONFIG} set and {@code bin/isthmus}
 * and kubectl on {@code PATH}; between them the test waits as a user would, by running a command again
 * until it shows what the README says it shows. A failed step prints the pods, events and logs of the
 * namespaces involved, so CI output explains it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkthroughE2EIT {

    /** The README's commands, in the walkthrough's order; each must be in README.md exactly so. */
    static final class Readme {
        static final String CERTIFICATES = """
                isthmus certs root   --cert root.crt --key root.key
                isthmus certs issuer --ca-cert root.crt --ca-key root.key --cert issuer.crt --key issuer.key""";
        static final String CHECK_FILES = """
                isthmus check --identity-trust-anchors-file root.crt --identity-issuer-certificate-file issuer.crt \\
                              --identity-issuer-key-file issuer.key""";
        static final String INSTALL = """
                for ctx in west east; do
                  isthmus install --crds | kubectl --context=${ctx} apply -f - || break
                  isthmus install \\
                    --identity-trust-anchors-file root.crt \\
                    --identity-issuer-certificate-file issuer.crt \\
                    --identity-issuer-key-file issuer.key \\
                    | kubectl --context=${ctx} apply -f - || break
                done""";
        static final String CHECK = """
                for ctx in west east; do
                  kubectl --context=${ctx} -n isthmus rollout status deploy/isthmus-identity || break
                  isthmus --context=${ctx} check || break
                done""";
        static final String CHECK_CONTEXTS = "isthmus check --contexts east,west";
        static final String MULTICLUSTER_INSTALL = """
                for ctx in west east; do
                  isthmus --context=${ctx} multicluster install | kubectl --context=${ctx} apply -f - || break
                  kubectl --context=${ctx} -n isthmus-multicluster rollout status deploy/isthmus-gateway || break
                done""";
        static final String GATEWAY_ADDRESS = """
                kubectl --context=east -n isthmus-multicluster get svc isthmus-gateway \\
                  -o 'custom-columns=:.status.loadBalancer.ingress[0].ip' --no-headers""";
        static final String TEST_SERVICES = """
                for ctx in west east; do
                  kubectl --context=${ctx} apply -k deploy/test-services/${ctx}
                  kubectl --context=${ctx} -n test rollout status deploy/podinfo || break
                  kubectl --context=${ctx} -n test rollout status deploy/frontend || break
                done""";
        static final String CURL_WEST = "kubectl --context=west -n test exec deploy/frontend -- curl -s http://podinfo:9898";
        static final String LINK = """
                isthmus --context=east multicluster link --cluster-name east | kubectl --context=west apply -f -
                kubectl --context=west -n isthmus-multicluster rollout status deploy/isthmus-mirror-east""";
        static final String MULTICLUSTER_CHECK = "isthmus --context=west multicluster check";
        static final String GATEWAYS = "isthmus --context=west multicluster gateways";
        static final String EXPORT = "kubectl --context=east label svc -n test podinfo mirror.isthmus.dev/exported=true";
        static final String MIRROR_SERVICE = "kubectl --context=west -n test get svc podinfo-east";
        static final String MIRROR_SLICE = "kubectl --context=west -n test get endpointslice podinfo-east";
        static final String CURL_EAST = "kubectl --context=west -n test exec deploy/frontend -- curl -s http://podinfo-east:9898";
        /** Read from the pod's log: {@code run -i} attaches after the pod started and can miss a curl this quick. */
        static final String ANY_POD = """
                kubectl --context=west -n test run any-pod --restart=Never --image=curlimages/curl:8.14.1 -- curl -s http://podinfo-east:9898
                kubectl --context=west -n test wait --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s pod/any-pod && kubectl --context=west -n test logs any-pod
                kubectl --context=west -n test delete pod any-pod""";
        /** The requests the tap shows: a minute of them, one a second (the README runs it in a second terminal). */
        static final String TAP_TRAFFIC = "kubectl --context=west -n test exec deploy/frontend -- sh -c"
                + " 'i=0; while [ $i -lt 60 ]; do curl -s -o /dev/null http://podinfo-east:9898; i=$((i+1)); sleep 1; done'";
        static final String TAP = "isthmus --context=west tap -n test --link east --max-events 5 --duration 60s";
        static final String REFUSED = """
                EAST_GW=$(kubectl --context=east -n isthmus-multicluster get svc isthmus-gateway -o 'jsonpath={.status.loadBalancer.ingress[0].ip}')
                kubectl --context=west -n test exec deploy/frontend -- curl -vk https://${EAST_GW}:4143""";
        static final String SPLIT = """
                kubectl --context=west apply -f - <<EOF_SPLIT
                apiVersion: split.smi-spec.io/v1alpha1
                kind: TrafficSplit
                metadata:
                  name: podinfo
                  namespace: test
                spec:
                  service: podinfo-split
                  backends:
                  - service: podinfo
                    weight: 50
                  - service: podinfo-east
                    weight: 50
                EOF_SPLIT""";
        static final String CURL_SPLIT = "kubectl --context=west -n test exec deploy/frontend -- curl -s http://podinfo-split:9898";
        static final String STAT_WEST = "isthmus --context=west stat -n test";
        static final String STAT_EAST = "isthmus --context=east stat -n test";
        static final String STAT_SPLIT = "isthmus --context=west stat trafficsplit -n test";
        static final String STAT_LINKS = "isthmus --context=west stat links";
        static final String STAT_FROM = """
                FRONTEND=$(kubectl --context=west -n test get pod -l app=frontend -o 'jsonpath={.items[0].status.podIP}')
                isthmus --context=west stat -n test --from ${FRONTEND}""";
        static final String UNLINK =
                "isthmus --context=west multicluster unlink --cluster-name east | kubectl --context=west delete -f -";
        static final String UNINSTALL = """
                for ctx in west east; do
                  kubectl --context=${ctx} delete ns test
                  isthmus --context=${ctx} multicluster uninstall | kubectl --context=${ctx} delete -f -
                  isthmus --context=${ctx} uninstall | kubectl --context=${ctx} delete -f -
                done""";

        private Readme() {}
    }

    /** Linkerd's guide's TrafficSplit, unchanged: its apex is podinfo itself, which Isthmus must refuse, saying why. */
    static final String GUIDE_SPLIT = """
            kubectl --context=west apply -f - <<EOF
            apiVersion: split.smi-spec.io/v1alpha1
            kind: TrafficSplit
            metadata:
              name: podinfo
              namespace: test
            spec:
              service: podinfo
              backends:
              - service: podinfo
                weight: 50
              - service: podinfo-east
                weight: 50
            EOF""";

    static final String SPLIT_REASON = "kubectl --context=west -n test get trafficsplit podinfo"
            + " -o 'jsonpath={.status.conditions[?(@.type==\"Accepted\")].status}/{.status.conditions[?(@.type==\"Accepted\")].reason}'";

    private static final List<String> NAMESPACES = List.of("isthmus", "isthmus-multicluster", "test");
    private static final Pattern ALIVE = Pattern.compile("(?m)^east\\s+True\\s+\\d+\\s+[0-9.]+ms\\s*$");
    private static final Pattern DEAD = Pattern.compile("(?m)^east\\s+False\\s+");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @TempDir Path dir;

    @AfterEach
    void unlinkDeploy() throws IOException {
        // Before JUnit deletes the folder, which would warn about a link that leads out of it.
        Files.deleteIfExists(dir.resolve("deploy"));
        Files.deleteIfExists(dir.resolve("bin/kubectl"));
    }

    @Test
    @Order(1)
    void everyCommandThisTestRunsIsInTheReadmeAsWritten() throws IllegalAccessException {
        ReadmeWalkthrough readme = ReadmeWalkthrough.read(REPOSITORY);
        for (Field field : Readme.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                field.setAccessible(true);
                readme.command((String) field.get(null));
            }
        }
    }

    /**
     * Without k3s: the README's test services (both overlays) and both TrafficSplits, the guide's and the
     * README's, created for real on a kube-apiserver with the CRDs {@code install --crds} prints; and the
     * walkthrough's first {@code check}, after {@code install} and before {@code multicluster install}.
     */
    @Test
    @Order(2)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theTestServicesTheSplitsAndTheFirstCheckOnARealApiServer() throws IOException {
        KubeApiServer.assumeAvailable();
        Optional<Path> kubectl = KubeApiServer.kubectl();
        Assumptions.assumeTrue(kubectl.isPresent() || System.getenv("CI") != null,
                "kubectl is neither on PATH nor in " + KubeApiServer.binDir());
        try (KubeApiServer api = KubeApiServer.start("west")) {
            Shell shell = shell(api.kubeconfig(), kubectl.orElseThrow(() -> new AssertionError(
                    "kubectl is neither on PATH nor in " + KubeApiServer.binDir() + " (run tools/kube-testenv/build.sh)")));
            shell.ok("isthmus install --crds | kubectl --context=west apply -f -");
            shell.ok("kubectl --context=west wait --for condition=established --timeout=60s"
                    + " crd/links.multicluster.isthmus.dev crd/trafficsplits.split.smi-spec.io");
            for (String cluster : List.of("east", "west")) {
                String applied = shell.ok("kubectl --context=west apply -k deploy/test-services/" + cluster);
                assertThat(applied).contains("namespace/test", "service/podinfo", "deployment.apps/podinfo",
                        "deployment.apps/frontend");
                assertThat(shell.ok("kubectl --context=west -n test get deploy podinfo"
                        + " -o 'jsonpath={.spec.template.spec.containers[0].env[0].value}'"))
                        .isEqualTo("greetings from " + cluster);
            }
            assertThat(shell.ok(GUIDE_SPLIT)).contains("trafficsplit.split.smi-spec.io/podinfo created");
            assertThat(shell.ok(Readme.SPLIT)).contains("trafficsplit.split.smi-spec.io/podinfo configured");

            // The walkthrough's first check runs before `multicluster install`: all √, nothing about the gateway.
            shell.ok(Readme.CERTIFICATES);
            shell.ok("isthmus install --identity-trust-anchors-file root.crt --identity-issuer-certificate-file issuer.crt"
                    + " --identity-issuer-key-file issuer.key | kubectl --context=west apply -f -");
            // No controller-manager here: the issuer's Deployment is marked available as one would mark it.
            shell.ok("kubectl --context=west -n isthmus patch deploy isthmus-identity --subresource=status --type=merge -p"
                    + " '{\"status\":{\"replicas\":1,\"readyReplicas\":1,\"availableReplicas\":1,\"conditions\":"
                    + "[{\"type\":\"Available\",\"status\":\"True\",\"reason\":\"MinimumReplicasAvailable\",\"message\":\"ok\"}]}}'");
            String checked = shell.ok("isthmus --context=west check");
            allPassed(checked);
            assertThat(checked).doesNotContain("multicluster");
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void theWalkthroughInTwoK3sClusters() throws Exception {
        Optional<String> unavailable = TwoClusters.unavailable();
        if (unavailable.isPresent() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("the k3s test environment cannot run: " + unavailable.get());
        }
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "the k3s test environment cannot run: " + unavailable.orElse(""));
        long started = System.nanoTime();
        try (TwoClusters clusters = TwoClusters.start()) {
            System.out.println("walkthrough: clusters up in " + seconds(started) + " s; image " + clusters.image());
            Path kubeconfig = Files.copy(clusters.kubeconfig(), dir.resolve("kubeconfig"));
            Shell shell = shell(kubeconfig, clusters.kubectl());
            reachableFromTheOtherCluster(shell, clusters);
            new Walk(shell).run();
        } finally {
            System.out.println("walkthrough: wall time " + seconds(started) + " s (clusters included)");
        }
    }

    /**
     * {@code link} writes the kubeconfig's server into west's credentials for east, so it must be an address
     * west's pods reach. Where the environment's kubeconfig names this host's loopback (ports Docker maps),
     * the contexts are pointed at the nodes' own addresses, which this host reaches as well.
     */
    private static void reachableFromTheOtherCluster(Shell shell, TwoClusters clusters) {
        for (String cluster : List.of("east", "west")) {
            String name = shell.ok("kubectl config view -o 'jsonpath={.contexts[?(@.name==\"" + cluster + "\")].context.cluster}'").trim();
            String server = shell.ok("kubectl config view -o 'jsonpath={.clusters[?(@.name==\"" + name + "\")].cluster.server}'").trim();
            if (server.matches("https://(127\\.[0-9.]+|localhost|\\[::1\\]):\\d+/?")) {
                shell.ok("kubectl config set-cluster " + name + " --server=https://" + clusters.nodeAddress(cluster) + ":6443");
            }
            shell.ok("kubectl --context=" + cluster + " get nodes -o wide");
        }
    }

    /** The steps, in order, sharing what earlier ones found (east's gateway address). */
    private static final class Walk {

        private final Shell shell;
        private final ReadmeWalkthrough readme = ReadmeWalkthrough.read(REPOSITORY);
        private final Map<String, Long> timings = new LinkedHashMap<>();
        private final Map<String, Throwable> failures = new LinkedHashMap<>();
        private String eastGateway;

        Walk(Shell shell) {
            this.shell = shell;
        }

        void run() {
            step("1 certificates, install, check", this::certificatesAndControlPlane);
            step("2 multicluster install and east's LoadBalancer address", this::multicluster);
            step("3 the test services", this::testServices);
            step("4 link, multicluster check, gateways", this::link);
            step("5 export podinfo, reach it from west", this::export);
            step("5a tap: frontend's requests to east, tls=true", this::tap);
            step("6 east's gateway refuses a client without a certificate", this::refusal);
            step("7 TrafficSplit", this::split);
            step("8 stat", this::stat);
            step("9 failover", this::failover);
            step("10 clean up: nothing of Isthmus remains", this::cleanUp);
            timings.forEach((step, ms) -> System.out.printf("walkthrough: step %-60s %6.1f s%n", step, ms / 1000.0));
            if (!failures.isEmpty()) {
                AssertionError failed = new AssertionError("walkthrough steps failed: " + String.join("; ", failures.keySet()),
                        failures.values().iterator().next());
                failures.values().stream().skip(1).forEach(failed::addSuppressed);
                throw failed;
            }
        }

        private void certificatesAndControlPlane() {
            shell.ok(readme.command(Readme.CERTIFICATES));
            allPassed(shell.ok(readme.command(Readme.CHECK_FILES)));
            String installed = shell.ok(readme.command(Readme.INSTALL));
            assertThat(count(installed, "customresourcedefinition.apiextensions.k8s.io/links.multicluster.isthmus.dev"))
                    .as("the Link CRD applied in both clusters:%n%s", installed).isEqualTo(2);
            assertThat(count(installed, "deployment.apps/isthmus-identity")).as(installed).isEqualTo(2);
            String checked = shell.ok(readme.command(Readme.CHECK));
            // The loop's `|| break` ends it with status 0 whatever failed: the output says whether all passed.
            assertThat(count(checked, "successfully rolled out")).as(checked).isEqualTo(2);
            assertThat(count(checked, "Status check results are √")).as("both contexts' check:%n%s", checked).isEqualTo(2);
            assertThat(Pattern.compile("\\((\\d+)/\\1 ready\\)").matcher(checked).results().count())
                    .as("the issuer's pods ready in both clusters:%n%s", checked).isGreaterThanOrEqualTo(2);
            allPassed(checked);
            allPassed(shell.ok(readme.command(Readme.CHECK_CONTEXTS)));
        }

        private void multicluster() {
            String installed = shell.ok(readme.command(Readme.MULTICLUSTER_INSTALL));
            assertThat(count(installed, "successfully rolled out")).as(installed).isEqualTo(2);
            String address = eventually("east's gateway Service gets its LoadBalancer address", Duration.ofMinutes(2),
                    readme.command(Readme.GATEWAY_ADDRESS), r -> r.exit() == 0 && IPV4.matcher(r.out().trim()).matches());
            eastGateway = address.trim();
        }

        private void testServices() {
            String applied = shell.ok(readme.command(Readme.TEST_SERVICES));
            assertThat(count(applied, "successfully rolled out")).as(applied).isEqualTo(4);
            // A pod reported ready is reachable through its Service only once the node's proxy rules catch up (k3s
            // programs them asynchronously): one run's first curl in east failed to connect (exit 7) just after the
            // rollout. These are each cluster's own Services, before any Isthmus link; a user would retry too.
            eventually("west's frontend reaches west's podinfo", Duration.ofSeconds(60), readme.command(Readme.CURL_WEST),
                    r -> r.exit() == 0 && r.out().contains("greetings from west"));
            eventually("east's frontend reaches east's podinfo", Duration.ofSeconds(60),
                    "kubectl --context=east -n test exec deploy/frontend -- curl -s http://podinfo:9898",
                    r -> r.exit() == 0 && r.out().contains("greetings from east"));
        }

        private void link() throws IOException {
            String linked = shell.ok(readme.command(Readme.LINK));
            assertThat(linked).contains("link.multicluster.isthmus.dev/east created", "successfully rolled out");
            String gateways = eventually("east's gateway alive, with a latency", Duration.ofMinutes(1),
                    readme.command(Readme.GATEWAYS), r -> r.exit() == 0 && ALIVE.matcher(r.out()).find());
            assertThat(gateways).contains("CLUSTER   ALIVE   NUM_SVC   LATENCY");
            String checked = eventually("multicluster check all √", Duration.ofMinutes(1),
                    readme.command(Readme.MULTICLUSTER_CHECK), r -> r.exit() == 0 && r.out().contains("Status check results are √"));
            allPassed(checked);

            adminPortNotOnTheLoadBalancer();
            eventually("east's gateway still alive, with a latency: its probe needs only 4143", Duration.ofMinutes(1),
                    readme.command(Readme.GATEWAYS), r -> r.exit() == 0 && ALIVE.matcher(r.out()).find());
        }

        /**
         * East's LoadBalancer address answers on the mTLS port and on nothing else: the admin port (4191: /metrics,
         * /links, /tap, /dashboard, plain HTTP) was its mc-probe port, so readable from wherever the address is.
         * Checked from this host (which reaches the nodes) and from west's frontend pod, each with 4143 as the control.
         */
        private void adminPortNotOnTheLoadBalancer() throws IOException {
            assertThat(eastGateway).as("east's gateway address (step 2)").isNotNull();
            try (Socket control = new Socket()) {
                control.connect(new InetSocketAddress(eastGateway, 4143), 5_000);
            }
            assertThatThrownBy(() -> {
                try (Socket admin = new Socket()) {
                    admin.connect(new InetSocketAddress(eastGateway, 4191), 5_000);
                }
            }).as("this host connected to east's LoadBalancer %s on 4191", eastGateway)
                    .isInstanceOfAny(ConnectException.class, SocketTimeoutException.class);

            String curl = "kubectl --context=west -n test exec deploy/frontend -- curl -s -m 5 -o /dev/null -w '%{http_code}' http://"
                    + eastGateway + ":";
            Shell.Result mtls = shell.run(curl + "4143/");
            assertThat(mtls.out()).as("frontend reaches east's LoadBalancer on 4143 (plain HTTP on the TLS port fails, but it connects):%n%s", mtls)
                    .doesNotContain("exit code 7").doesNotContain("exit code 28");
            Shell.Result admin = shell.run(curl + "4191/metrics");
            assertThat(admin.exit()).as("frontend must not reach east's admin port through the LoadBalancer:%n%s", admin).isNotZero();
            assertThat(admin.out()).as("%s", admin).startsWith("000").containsPattern("exit code (7|28)");
        }

        private void export() {
            shell.ok(readme.command(Readme.EXPORT));
            assertThat(eventually("the mirror Service podinfo-east in west", Duration.ofMinutes(1),
                    readme.command(Readme.MIRROR_SERVICE), r -> r.exit() == 0)).contains("podinfo-east", "9898");
            eventually("its EndpointSlice, ready", Duration.ofMinutes(1),
                    readme.command(Readme.MIRROR_SLICE), r -> r.exit() == 0 && r.out().contains("podinfo-east"));
            String slice = shell.ok("kubectl --context=west -n test get endpointslice podinfo-east"
                    + " -o 'jsonpath={.endpoints[*].conditions.ready}'");
            assertThat(slice).as("the mirror's endpoints are west's gateway pods, ready").contains("true").doesNotContain("false");
            String answer = eventually("podinfo in east answers frontend in west", Duration.ofMinutes(1),
                    readme.command(Readme.CURL_EAST), r -> r.exit() == 0 && r.out().contains("greetings from"));
            assertThat(answer).as("the answer through both gateways (a 508 here is the loop detection bug of issue 9)")
                    .contains("greetings from east");
            assertThat(shell.ok(readme.command(Readme.ANY_POD))).as("a pod of no Deployment, through west's gateway")
                    .contains("greetings from east");
            // The gateways hold certificates from their cluster's issuer, which admitted them by TokenReview.
            for (String cluster : List.of("west", "east")) {
                String issued = shell.ok("kubectl --context=" + cluster + " -n isthmus logs deploy/isthmus-identity --tail=-1");
                assertThat(issued).as("%s's issuer log", cluster)
                        .contains("issued a certificate for spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
                // The manifests start the gateway with --warmup: it ran its data path hot before it listened.
                String gateway = shell.ok("kubectl --context=" + cluster + " -n isthmus-multicluster logs deploy/isthmus-gateway --tail=-1");
                assertThat(gateway).as("%s's gateway log", cluster)
                        .containsPattern("warm-up: [1-9][0-9]* requests and [1-9][0-9]* new connections through two loopback gateways")
                        .doesNotContain("warm-up failed");
            }
            shell.ok("kubectl --context=west -n test get svc,endpointslice -o wide");
        }

        /**
         * The guide's {@code viz tap deploy/frontend} check, with the README's own commands: while frontend calls
         * podinfo-east, west's gateway shows each request going to east over mTLS. Bounded by the tap's
         * --max-events and --duration, and the traffic by its 60 iterations (stopped as soon as the tap is done).
         */
        private void tap() {
            Process traffic = shell.start(readme.command(Readme.TAP_TRAFFIC));
            try {
                String tapped = shell.ok(readme.command(Readme.TAP));
                List<String> lines = tapped.lines().filter(line -> line.startsWith("end ")).toList();
                assertThat(lines).as("west's tap while frontend calls podinfo-east:%n%s", tapped).hasSize(5)
                        .allMatch(line -> line.startsWith("end proxy=out ")
                                && line.contains(" dst=podinfo-east") && line.contains(" backend=east tls=true ")
                                && line.contains(" :status=200 "));
            } finally {
                Shell.stop(traffic);
            }
        }

        private void refusal() {
            assertThat(eastGateway).as("east's gateway address (step 2)").isNotNull();
            long before = handshakeFailures();
            Shell.Result refused = shell.run(readme.command(Readme.REFUSED));
            assertThat(refused.exit()).as("curl without a client certificate must fail:%n%s", refused).isNotZero();
            assertThat(refused.out()).as("curl reached %s:4143", eastGateway).contains(eastGateway)
                    .doesNotContain("< HTTP/");
            until("east's gateways count the refused handshake", Duration.ofSeconds(30),
                    () -> handshakeFailures() > before);
        }

        private void split() {
            shell.ok(GUIDE_SPLIT);
            eventually("the guide's TrafficSplit, apex podinfo, refused", Duration.ofMinutes(1), SPLIT_REASON,
                    r -> r.exit() == 0 && r.out().trim().equals("False/ApexHasSelector"));
            assertThat(shell.ok(readme.command(Readme.SPLIT))).contains("trafficsplit.split.smi-spec.io/podinfo configured");
            eventually("the README's TrafficSplit accepted", Duration.ofMinutes(1), SPLIT_REASON,
                    r -> r.exit() == 0 && r.out().trim().startsWith("True/"));
            eventually("podinfo-split answers", Duration.ofMinutes(1), readme.command(Readme.CURL_SPLIT),
                    r -> r.exit() == 0 && r.out().contains("greetings from"));
            Map<String, Integer> answers = hundredRequests();
            assertThat(answers.get("east")).as("of 100 requests to podinfo-split: %s", answers).isBetween(30, 70);
            assertThat(answers.get("west")).as("of 100 requests to podinfo-split: %s", answers).isBetween(30, 70);
        }

        private void stat() {
            // Traffic through the split while both stat commands take their two scrapes 10 s apart: it outlasts
            // them (bounded, ~5 minutes at most) and is stopped when they are done.
            Process traffic = shell.start("kubectl --context=west -n test exec deploy/frontend -- sh -c"
                    + " 'i=0; while [ $i -lt 3000 ]; do curl -s -o /dev/null http://podinfo-split:9898; i=$((i+1)); sleep 0.1; done'");
            sleep(Duration.ofSeconds(3));
            try {
                String west = shell.ok(readme.command(Readme.STAT_WEST));
                String east = shell.ok(readme.command(Readme.STAT_EAST));
                assertThat(west).as("west's stat").contains("SERVICE", "podinfo");
                assertThat(rows(west, "podinfo")).as("west: requests per second and a TLS share for podinfo's services:%n%s", west)
                        .anyMatch(row -> row.matches(".*\\d+\\.\\drps.*\\d+%$"));
                assertThat(rows(east, "podinfo")).as("east: podinfo's requests came over mTLS:%n%s", east)
                        .anyMatch(row -> row.matches(".*\\d+\\.\\drps.*\\s100%$"));
                // The walkthrough's other views: the split's shares, the link, and frontend's own requests.
                String split = shell.ok(readme.command(Readme.STAT_SPLIT));
                assertThat(split).as("stat trafficsplit").containsPattern("APEX\\s+LEAF\\s+SHARE\\s+SUCCESS\\s+RPS");
                assertThat(rows(split, "east")).as("stat trafficsplit: east's leaf of podinfo's split, over mTLS:%n%s", split)
                        .anyMatch(row -> row.matches(".*\\beast\\s+\\d+%\\s+.*\\s100%$"));
                String links = shell.ok(readme.command(Readme.STAT_LINKS));
                assertThat(rows(links, "east")).as("stat links: requests to east, all over mTLS:%n%s", links)
                        .anyMatch(row -> row.matches("\\s*east\\s+[1-9]\\d*\\s+.*\\s100%$"));
                String from = shell.ok(readme.command(Readme.STAT_FROM));
                assertThat(rows(from, "podinfo")).as("stat --from frontend's address: its requests to podinfo's split:%n%s", from)
                        .anyMatch(row -> row.matches(".*\\d+\\.\\drps.*"));
            } finally {
                Shell.stop(traffic);
            }
        }

        private void failover() {
            shell.ok("kubectl --context=east -n isthmus-multicluster scale deploy/isthmus-gateway --replicas=0");
            eventually("west's probe marks east dead", Duration.ofMinutes(1), readme.command(Readme.GATEWAYS),
                    r -> r.exit() == 0 && DEAD.matcher(r.out()).find());
            until("all of 100 requests to podinfo-split answered by west", Duration.ofMinutes(1),
                    () -> hundredRequests().get("west") == 100);
            shell.ok("kubectl --context=east -n isthmus-multicluster scale deploy/isthmus-gateway --replicas=2");
            shell.ok("kubectl --context=east -n isthmus-multicluster rollout status deploy/isthmus-gateway");
            eventually("west's probe finds east alive again", Duration.ofMinutes(1), readme.command(Readme.GATEWAYS),
                    r -> r.exit() == 0 && ALIVE.matcher(r.out()).find());
            until("the split returns", Duration.ofMinutes(1), () -> {
                Map<String, Integer> answers = hundredRequests();
                return answers.get("east") >= 30 && answers.get("west") >= 30;
            });
        }

        private void cleanUp() {
            shell.ok(readme.command(Readme.UNLINK));
            shell.ok(readme.command(Readme.UNINSTALL));
            for (String cluster : List.of("west", "east")) {
                String left = eventually(cluster + ": nothing of Isthmus remains", Duration.ofMinutes(3),
                        leftovers(cluster), r -> r.exit() == 0 && r.out().isBlank());
                assertThat(left).isBlank();
            }
        }

        /**
         * East's gateways' sum of handshakes refused for want of a client certificate or of the gateways' ALPN
         * protocol (curl offers h2 and http/1.1, so the gate at the ClientHello refuses it first), read through the pod proxy.
         */
        private long handshakeFailures() {
            String pods = shell.ok("kubectl --context=east -n isthmus-multicluster get pods"
                    + " -l app.kubernetes.io/name=isthmus-gateway -o 'jsonpath={.items[*].metadata.name}'");
            long sum = 0;
            for (String pod : pods.trim().split("\\s+")) {
                String metrics = shell.run("kubectl --context=east get --raw"
                        + " /api/v1/namespaces/isthmus-multicluster/pods/" + pod + ":4191/proxy/metrics"
                        + " | grep -E '^isthmus_gateway_handshake_failures_total\\{.*reason=\"(no_client_certificate|no_application_protocol)\"'"
                        + " || true").out();
                for (String line : metrics.split("\n")) {
                    if (!line.isBlank()) {
                        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            }
            return sum;
        }

        /** 100 requests from frontend to the split's apex, on one connection, counted by which podinfo answered. */
        private Map<String, Integer> hundredRequests() {
            // Not ok(): while a link fails over, a request may fail; the caller judges the counts.
            String out = shell.run("kubectl --context=west -n test exec deploy/frontend --"
                    + " curl -s -w '\\n' 'http://podinfo-split:9898/?n=[1-100]'").out();
            Map<String, Integer> answers = new LinkedHashMap<>();
            answers.put("east", count(out, "greetings from east"));
            answers.put("west", count(out, "greetings from west"));
            // Anything else (an error page, a refused connection) shows in the output the test prints.
            answers.put("other", 100 - answers.get("east") - answers.get("west"));
            return answers;
        }

        /**
         * Everything of Isthmus still in a cluster: objects of every listable kind (events aside) whose name
         * says isthmus, or that are the CRDs install --crds made, or that carry Isthmus's labels.
         */
        private static String leftovers(String cluster) {
            return "kubectl --context=" + cluster + " api-resources --verbs=list -o name | grep -v '^events' | while read -r kind; do"
                    + " kubectl --context=" + cluster + " get \"$kind\" -A -o name 2>/dev/null"
                    + " | grep -E 'isthmus|trafficsplits\\.split\\.smi-spec\\.io' | sed \"s|^|$kind |\";"
                    + " kubectl --context=" + cluster + " get \"$kind\" -A -o name -l app.kubernetes.io/part-of=isthmus 2>/dev/null;"
                    + " done | sort -u";
        }

        /**
         * Runs one step; a failed one is reported with the clusters' state and the walk goes on, so one CI run
         * shows every step that fails (a later step that needed the failed one fails too, saying so), and the
         * clean-up runs whatever happened.
         */
        private void step(String name, Step step) {
            System.out.println("\n===== walkthrough step " + name);
            long started = System.nanoTime();
            try {
                step.run();
            } catch (Exception | AssertionError failure) {
                System.out.println("===== step " + name + " FAILED: " + failure.getMessage());
                failures.put(name, failure);
                diagnose();
            } finally {
                timings.put(name, (System.nanoTime() - started) / 1_000_000);
            }
        }

        /** Pods, events and logs of Isthmus's namespaces and the test's, in both clusters. */
        private void diagnose() {
            for (String cluster : List.of("east", "west")) {
                for (String namespace : NAMESPACES) {
                    String k = "kubectl --context=" + cluster + " -n " + namespace;
                    shell.run(k + " get all,endpointslices,events -o wide 2>&1; "
                            + "for p in $(" + k + " get pods -o name); do echo \"--- $p\"; " + k
                            + " describe $p | tail -25; " + k + " logs $p --all-containers --prefix --tail=200; done",
                            Duration.ofMinutes(2));
                }
                shell.run("kubectl --context=" + cluster + " get links,trafficsplits -A -o yaml 2>&1 | tail -150");
            }
        }

        /** Asks until the condition holds; fails the test when it did not within the timeout. */
        private static void until(String what, Duration timeout, BooleanSupplier condition) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + ": not within " + timeout);
                }
                sleep(Duration.ofSeconds(2));
            }
        }

        /** Runs the command until its result satisfies the condition; its last output otherwise fails the test. */
        private String eventually(String what, Duration timeout, String command, Predicate<Shell.Result> done) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Shell.Result last;
            while (true) {
                last = shell.run(command);
                if (done.test(last)) {
                    return last.out();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + ": not within " + timeout + "; last:\n" + last);
                }
                sleep(Duration.ofSeconds(2));
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** bash in {@link #dir}, as a user's folder: {@code bin/isthmus} and kubectl first on PATH. */
    private Shell shell(Path kubeconfig, Path kubectl) throws IOException {
        return Shell.inUserFolder(dir, REPOSITORY, kubeconfig, Map.of("kubectl", kubectl), Map.of());
    }

    private static void allPassed(String checkOutput) {
        Shell.allPassed(checkOutput);
    }

    private static List<String> rows(String table, String containing) {
        return table.lines().filter(l -> l.contains(containing)).map(String::strip).toList();
    }

    private static int count(String text, String what) {
        Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static long seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000_000;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
