package dev.isthmus.cli.install;

import static dev.isthmus.cli.install.Cli.certificates;
import static dev.isthmus.cli.install.Cli.concat;
import static dev.isthmus.cli.install.Cli.deploy;
import static dev.isthmus.cli.install.Cli.identityFlags;
import static dev.isthmus.cli.install.Cli.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.cli.Isthmus;
import dev.isthmus.gateway.GatewayWarmup;
import dev.isthmus.gateway.config.GatewayFile;
import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.gateway.yaml.YamlNode;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the install commands print is deploy/'s objects with the flags' substitutions: the CRDs the mirror
 * packages are deploy/crds, and every workload is hardened, probed, limited and scraped.
 */
class InstallManifestsTest {

    @TempDir Path dir;

    /** deploy/crds is the CRDs' only source; what the mirror's jar carries (and the CLI prints) is it, byte for byte. */
    @Test
    void theMirrorsPackagedCrdsAreDeployCrdsAndTheKustomizationListsEveryOne() throws IOException {
        Path crds = deploy().resolve("crds");
        List<String> deployFiles;
        try (Stream<Path> files = Files.list(crds)) {
            deployFiles = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
        }
        assertThat(deployFiles).contains("links.yaml");
        assertThat(Crds.files()).as("deploy/crds/kustomization.yaml resources").containsExactlyInAnyOrderElementsOf(deployFiles);
        for (String file : deployFiles) {
            assertThat(Crds.text(file))
                    .as("classpath %s%s must be deploy/crds/%s (mirror/pom.xml packages it)", Crds.MIRROR_CRDS, file, file)
                    .isEqualTo(Files.readString(crds.resolve(file)));
        }
    }

    @Test
    void installCrdsPrintsTheDeployCrdFilesVerbatim() throws IOException {
        String out = isthmus("install", "--crds").ok().out();
        StringBuilder expected = new StringBuilder();
        for (String file : Crds.files()) {
            expected.append(Manifests.document(Files.readString(deploy().resolve("crds").resolve(file))));
        }
        assertThat(out).isEqualTo(expected.toString());
        List<HasMetadata> objects = Manifests.parse(out, "install --crds");
        assertThat(objects).allMatch(CustomResourceDefinition.class::isInstance);
        assertThat(objects).extracting(o -> o.getMetadata().getName()).contains(Names.LINK_PLURAL + "." + Names.LINK_GROUP);
    }

    @Test
    void installPrintsTheControlPlaneOfDeployWithTheIdentityFilesAndFlags() throws IOException {
        certificates(dir);
        List<HasMetadata> printed = Manifests.parse(isthmus(concat(concat(new String[] {"install"}, identityFlags(dir)), "--trust-domain", "west.example",
                "--image", "registry.test/isthmus:1")).ok().out(), "install");

        List<HasMetadata> files = Manifests.parse(Files.readString(deploy().resolve("control-plane/namespace.yaml"))
                + "\n---\n" + Files.readString(deploy().resolve("control-plane/identity.yaml")), "deploy/control-plane");
        assertThat(printed).extracting(InstallManifestsTest::key)
                .containsExactlyElementsOf(Stream.concat(files.stream().map(InstallManifestsTest::key),
                        Stream.of("Secret/isthmus/isthmus-identity-issuer", "ConfigMap/isthmus/isthmus-identity-trust-roots")).toList());

        Container identity = Manifests.find(printed, Deployment.class, Names.IDENTITY).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(identity.getImage()).isEqualTo("registry.test/isthmus:1");
        assertThat(identity.getArgs()).contains("--trust-domain=west.example").doesNotContain("--trust-domain=cluster.local");

        Secret issuer = Manifests.find(printed, Secret.class, Names.IDENTITY_ISSUER_SECRET);
        assertThat(issuer.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(decode(issuer.getData().get("tls.crt"))).isEqualTo(Files.readString(dir.resolve("issuer.crt")));
        assertThat(decode(issuer.getData().get("tls.key"))).isEqualTo(Files.readString(dir.resolve("issuer.key")));
        ConfigMap roots = Manifests.find(printed, ConfigMap.class, Names.TRUST_ROOTS_CONFIG_MAP);
        assertThat(roots.getData()).containsEntry(Names.TRUST_ROOTS_KEY, Files.readString(dir.resolve("root.crt")));
        assertThat(roots.getMetadata().getAnnotations()).containsEntry(ControlPlane.TRUST_DOMAIN_ANNOTATION, "west.example");

        // Without flags, the printed objects are deploy/'s, unchanged.
        List<HasMetadata> defaults = Manifests.parse(isthmus(concat(new String[] {"install"}, identityFlags(dir))).ok().out(), "install");
        for (HasMetadata file : files) {
            assertThat(defaults.stream().filter(o -> key(o).equals(key(file))).findFirst().orElseThrow()).isEqualTo(file);
        }
    }

    @Test
    void multiclusterInstallPrintsDeployWithThePortsTypeAndTrustDomainGiven() throws IOException {
        certificates(dir);
        String anchors = dir.resolve("root.crt").toString();
        List<HasMetadata> printed = Manifests.parse(isthmus("multicluster", "install", "--identity-trust-anchors-file", anchors,
                "--gateway-port", "5143", "--gateway-probe-port", "5191", "--gateway-service-type", "NodePort",
                "--trust-domain", "west.example", "--gateway-key-exchange", "X25519,P-384").ok().out(), "multicluster install");

        Service service = Manifests.find(printed, Service.class, Names.GATEWAY);
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + "=" + p.getPort())
                .containsExactly(Names.GATEWAY_PORT_NAME + "=5143");
        assertThat(service.getMetadata().getAnnotations())
                .containsEntry("mirror.isthmus.dev/gateway-identity", Names.gatewayIdentity("west.example"))
                .containsEntry("mirror.isthmus.dev/probe-port", "5191");
        Service admin = Manifests.find(printed, Service.class, Names.GATEWAY_ADMIN);
        assertThat(admin.getSpec().getType()).as("whatever the gateway Service's type").isEqualTo("ClusterIP");
        assertThat(admin.getSpec().getPorts()).extracting(p -> p.getName() + "=" + p.getPort() + "->" + p.getTargetPort().getStrVal())
                .containsExactly(Names.ADMIN_PORT_NAME + "=5191->" + Names.ADMIN_PORT_NAME);
        Deployment gateway = Manifests.find(printed, Deployment.class, Names.GATEWAY);
        assertThat(gateway.getSpec().getReplicas()).isEqualTo(2);
        assertThat(gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(p -> p.getName() + "=" + p.getContainerPort()).containsExactly("mc-gateway=5143", "admin=5191");
        assertThat(gateway.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/port", "5191");

        GatewayFile config = gatewayFile(printed);
        assertThat(config.config().identity().toString()).isEqualTo(Names.gatewayIdentity("west.example"));
        assertThat(config.config().inboundPort()).isEqualTo(5143);
        assertThat(config.config().adminPort()).isEqualTo(5191);
        assertThat(config.config().keyExchange().groups()).containsExactly("X25519", "P-384");
        assertThat(config.kubernetesRoutes()).isNotNull();
        assertThat(config.issuer().identity().toString()).isEqualTo("spiffe://west.example/ns/isthmus/sa/isthmus-identity");
        assertThat(Manifests.find(printed, ConfigMap.class, Names.TRUST_ROOTS_CONFIG_MAP).getData())
                .containsEntry(Names.TRUST_ROOTS_KEY, Files.readString(dir.resolve("root.crt")));
        assertThat(Manifests.find(printed, PodDisruptionBudget.class, Names.GATEWAY).getSpec().getMinAvailable().getIntVal())
                .isEqualTo(1);

        ClusterRole remoteAccess = Manifests.find(printed, ClusterRole.class, "isthmus-mirror-remote-access");
        assertThat(remoteAccess.getRules()).extracting(r -> r.getApiGroups() + " " + r.getResources() + " " + r.getVerbs())
                .containsExactly("[] [services] [get, list, watch]", "[discovery.k8s.io] [endpointslices] [get, list, watch]",
                        "[, events.k8s.io] [events] [create, patch]", "[] [configmaps] [get]");
        assertThat(remoteAccess.getRules().get(3).getResourceNames()).as("the trust anchors' ConfigMap and no other")
                .containsExactly(Names.TRUST_ROOTS_CONFIG_MAP);
    }

    @Test
    void theDefaultGatewayConfigIsValidForTheGateway() throws IOException {
        certificates(dir);
        GatewayFile config = gatewayFile(Manifests.parse(isthmus("multicluster", "install", "--identity-trust-anchors-file",
                dir.resolve("root.crt").toString()).ok().out(), "multicluster install"));
        assertThat(config.config().identity().toString()).isEqualTo(Names.gatewayIdentity("cluster.local"));
        assertThat(config.config().inboundPort()).isEqualTo(Names.GATEWAY_PORT);
        assertThat(config.config().adminPort()).isEqualTo(Names.ADMIN_PORT);
        assertThat(config.kubernetesRoutes().exportSelector()).isEqualTo(Names.EXPORTED_LABEL + "=true");
        assertThat(config.config().keyExchange()).as("the TLS library's list, the hybrid first").isEqualTo(KeyExchange.DEFAULT);
    }

    /**
     * Every cluster's gateway has the same identity, so the gateway.yaml install prints names the installation
     * too (its Forwarded by=, what loop detection looks for); without a cluster to derive it from, each print
     * makes up a new one and says how to keep it.
     */
    @Test
    void multiclusterInstallGivesTheGatewayAnInstallationId() throws IOException {
        certificates(dir);
        String anchors = dir.resolve("root.crt").toString();
        CliRun first = isthmus("multicluster", "install", "--identity-trust-anchors-file", anchors).ok();
        CliRun second = isthmus("multicluster", "install", "--identity-trust-anchors-file", anchors).ok();
        GatewayId id = gatewayFile(Manifests.parse(first.out(), "multicluster install")).config().id();
        assertThat(id.value()).matches("_isthmus-[a-z2-7]{12}");
        assertThat(first.err()).contains("the gateway id " + id + " is new with this print", "pass --gateway-id " + id);
        assertThat(gatewayFile(Manifests.parse(second.out(), "multicluster install")).config().id()).isNotEqualTo(id);

        CliRun kept = isthmus("multicluster", "install", "--identity-trust-anchors-file", anchors, "--gateway-id", id.value()).ok();
        assertThat(gatewayFile(Manifests.parse(kept.out(), "multicluster install")).config().id()).isEqualTo(id);
        assertThat(kept.err()).isEmpty();
    }

    @Test
    void multiclusterInstallPrintsNoServiceAccountTokenSecret() throws IOException {
        certificates(dir);
        List<HasMetadata> printed = Manifests.parse(isthmus("multicluster", "install", "--identity-trust-anchors-file",
                dir.resolve("root.crt").toString()).ok().out(), "multicluster install");
        assertThat(printed).filteredOn(Secret.class::isInstance).isEmpty();
        assertThat(printed).extracting(InstallManifestsTest::key).contains("ServiceAccount/isthmus-multicluster/isthmus-mirror-remote-access");
    }

    @Test
    void multiclusterInstallRefusesAGatewayIdThatIsNotAnObfuscatedIdentifier() throws IOException {
        certificates(dir);
        CliRun refused = isthmus("multicluster", "install", "--identity-trust-anchors-file", dir.resolve("root.crt").toString(),
                "--gateway-id", "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("--gateway-id spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"
                + " (expected: an RFC 7239 obfuscated identifier");
        assertThat(refused.out()).isEmpty();
    }

    /**
     * The gateway goes ready warm ({@code gateway run --warmup}, benchmarks/README.md {@code GatewayLoad warmup}), with an
     * argument the command accepts, and its startup probe waits for longer than the warm-up may take plus a slow start.
     */
    @Test
    void theGatewayWarmsUpBeforeItIsReadyWithinWhatItsStartupProbeAllows() throws IOException {
        certificates(dir);
        List<List<HasMetadata>> manifests = List.of(
                Manifests.parse(Files.readString(deploy().resolve("multicluster/gateway.yaml")), "deploy/multicluster/gateway.yaml"),
                Manifests.parse(isthmus("multicluster", "install", "--identity-trust-anchors-file", dir.resolve("root.crt").toString())
                        .ok().out(), "multicluster install"));
        for (List<HasMetadata> objects : manifests) {
            Container gateway = Manifests.find(objects, Deployment.class, Names.GATEWAY).getSpec().getTemplate().getSpec()
                    .getContainers().get(0);
            List<String> warmup = gateway.getArgs().stream().filter(a -> a.startsWith("--warmup=")).toList();
            assertThat(warmup).as("gateway run --warmup in %s", gateway.getArgs()).hasSize(1);
            Duration maximum = YamlNode.parseDuration(warmup.get(0).substring("--warmup=".length()));
            assertThat(GatewayWarmup.Settings.upTo(maximum).maximum()).isPositive();
            assertThat(Isthmus.commandLine().parseArgs(gateway.getArgs().toArray(String[]::new)).errors()).isEmpty();
            long startupSeconds = (long) gateway.getStartupProbe().getPeriodSeconds() * gateway.getStartupProbe().getFailureThreshold();
            assertThat(Duration.ofSeconds(startupSeconds)).isGreaterThan(maximum.plusSeconds(60));
        }
    }

    /**
     * The admin port (/metrics, /links, /tap, /dashboard) answers plain HTTP to anyone: it was also the
     * LoadBalancer's mc-probe port, so readable from wherever the load balancer is. Only the mTLS port may be
     * published, in the files users apply and in what the CLI prints for every service type; the admin port
     * is on a ClusterIP Service selecting the same pods.
     */
    @Test
    void theGatewayPublishesOnlyItsMtlsPortAndKeepsTheAdminPortInsideTheCluster() throws IOException {
        certificates(dir);
        String anchors = dir.resolve("root.crt").toString();
        List<List<HasMetadata>> manifests = new java.util.ArrayList<>();
        manifests.add(Manifests.parse(Files.readString(deploy().resolve("multicluster/gateway.yaml")), "deploy/multicluster/gateway.yaml"));
        manifests.add(DeployDirectory.load("multicluster").objects());
        for (String type : new String[] {"LoadBalancer", "NodePort", "ClusterIP"}) {
            manifests.add(Manifests.parse(isthmus("multicluster", "install", "--identity-trust-anchors-file", anchors,
                    "--gateway-service-type", type).ok().out(), "multicluster install --gateway-service-type " + type));
        }
        for (List<HasMetadata> objects : manifests) {
            Service gateway = Manifests.find(objects, Service.class, Names.GATEWAY);
            assertThat(gateway.getSpec().getPorts()).extracting(p -> p.getName() + "=" + p.getPort() + "->" + p.getTargetPort().getStrVal())
                    .containsExactly(Names.GATEWAY_PORT_NAME + "=" + Names.GATEWAY_PORT + "->" + Names.GATEWAY_PORT_NAME);
            assertThat(gateway.getMetadata().getAnnotations()).containsEntry("mirror.isthmus.dev/probe-port", "" + Names.ADMIN_PORT);
            Service admin = Manifests.find(objects, Service.class, Names.GATEWAY_ADMIN);
            assertThat(admin.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(admin.getSpec().getSelector()).isEqualTo(gateway.getSpec().getSelector());
            for (Service service : objects.stream().filter(Service.class::isInstance).map(Service.class::cast).toList()) {
                if (!"ClusterIP".equals(service.getSpec().getType()) && service.getSpec().getType() != null) {
                    assertThat(service.getSpec().getPorts()).as("%s of type %s", service.getMetadata().getName(), service.getSpec().getType())
                            .allMatch(p -> p.getPort() == Names.GATEWAY_PORT && Names.GATEWAY_PORT_NAME.equals(p.getTargetPort().getStrVal()));
                }
            }
        }
    }

    @Test
    void everyWorkloadIsHardenedLimitedProbedAndAnnotatedForPrometheus() {
        List<HasMetadata> objects = Stream.concat(DeployDirectory.load("control-plane").objects().stream(),
                DeployDirectory.load("multicluster").objects().stream()).toList();
        List<Deployment> deployments = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
        assertThat(deployments).extracting(d -> d.getMetadata().getName()).containsExactly(Names.IDENTITY, Names.GATEWAY);
        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).as(name)
                    .containsKeys("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path");
            for (Container container : pod.getContainers()) {
                var security = container.getSecurityContext();
                assertThat(security.getRunAsNonRoot()).as(name).isTrue();
                assertThat(security.getReadOnlyRootFilesystem()).as(name).isTrue();
                assertThat(security.getAllowPrivilegeEscalation()).as(name).isFalse();
                assertThat(security.getCapabilities().getDrop()).as(name).containsExactly("ALL");
                assertThat(security.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
                assertThat(container.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).as(name).containsKeys("cpu", "memory");
                assertThat(container.getReadinessProbe().getHttpGet().getPath()).as(name).isEqualTo("/ready");
                assertThat(container.getLivenessProbe().getHttpGet().getPath()).as(name).isEqualTo("/live");
                assertSlowStartSurvivesLiveness(name, container);
            }
        }
        Deployment gateway = Manifests.find(objects, Deployment.class, Names.GATEWAY);
        assertThat(gateway.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "4191")
                .containsEntry("prometheus.io/path", "/metrics");
        assertThat(gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPort()
                .getStrVal()).isEqualTo(Names.ADMIN_PORT_NAME);
        ClusterRoleBinding delegator = Manifests.find(objects, ClusterRoleBinding.class, "isthmus-identity-auth-delegator");
        assertThat(delegator.getRoleRef().getName()).isEqualTo("system:auth-delegator");
    }

    /**
     * On a busy node (the walkthrough's k3s clusters on two shared cores) the gateway's JVM took 40 s to listen,
     * and a liveness probe with a 10 s initial delay restarted it, over and over. A startup probe on the same
     * endpoint must allow minutes before liveness applies.
     */
    static void assertSlowStartSurvivesLiveness(String name, Container container) {
        assertThat(container.getStartupProbe()).as("%s: a startup probe", name).isNotNull();
        assertThat(container.getStartupProbe().getHttpGet().getPath()).as(name).isEqualTo("/live");
        int period = container.getStartupProbe().getPeriodSeconds() == null ? 10 : container.getStartupProbe().getPeriodSeconds();
        int failures = container.getStartupProbe().getFailureThreshold() == null ? 3 : container.getStartupProbe().getFailureThreshold();
        assertThat(period * failures).as("%s: seconds a start may take before the kubelet restarts it", name).isGreaterThanOrEqualTo(180);
    }

    @Test
    void allowPrintsAServiceAccountAndABindingToTheRemoteAccessRoleButNoTokenSecret() {
        List<HasMetadata> printed = Manifests.parse(isthmus("multicluster", "allow", "--service-account-name", "west").ok().out(),
                "allow");
        // `link` asks the TokenRequest API for an expiring token: a non-expiring token Secret would be a credential nobody uses.
        assertThat(printed).extracting(InstallManifestsTest::key).containsExactly(
                "ServiceAccount/isthmus-multicluster/west", "ClusterRoleBinding/null/isthmus-mirror-remote-access-west");
        ClusterRoleBinding binding = (ClusterRoleBinding) printed.get(1);
        assertThat(binding.getRoleRef().getName()).isEqualTo("isthmus-mirror-remote-access");
        assertThat(binding.getSubjects().get(0).getName()).isEqualTo("west");

        List<HasMetadata> elsewhere = Manifests.parse(isthmus("-n", "mirrors", "multicluster", "allow",
                "--service-account-name", "west").ok().out(), "allow");
        assertThat(elsewhere).extracting(InstallManifestsTest::key).containsExactly("ServiceAccount/mirrors/west",
                "ClusterRoleBinding/null/isthmus-mirror-remote-access-mirrors-west");
        // The global option works after the subcommand too: it is inherited.
        assertThat(isthmus("multicluster", "allow", "--service-account-name", "west", "--namespace", "mirrors").ok().out())
                .isEqualTo(isthmus("-n", "mirrors", "multicluster", "allow", "--service-account-name", "west").out());
    }

    @Test
    void completionPrintsPicocliBashScriptCoveringTheNewCommands() {
        String script = isthmus("completion", "bash").ok().out();
        assertThat(script).contains("complete -F _complete_isthmus", "multicluster", "--identity-trust-anchors-file",
                "--gateway-service-type", "--kubeconfig");
    }

    @Test
    void helpWorksOnEveryNewCommand() {
        for (String[] command : List.of(new String[] {"install"}, new String[] {"uninstall"}, new String[] {"multicluster"},
                new String[] {"multicluster", "install"}, new String[] {"multicluster", "allow"},
                new String[] {"multicluster", "uninstall"}, new String[] {"completion"})) {
            CliRun help = isthmus(concat(command, "--help")).ok();
            assertThat(help.out()).contains("Usage: isthmus " + String.join(" ", command), "--context", "--kubeconfig",
                    "--namespace");
        }
    }

    static GatewayFile gatewayFile(List<HasMetadata> objects) {
        String yaml = Manifests.find(objects, ConfigMap.class, "isthmus-gateway-config").getData().get("gateway.yaml");
        return GatewayFile.parse(yaml, "gateway.yaml", Path.of("/etc/isthmus"));
    }

    static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
