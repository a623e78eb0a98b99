package dev.isthmus.cli.install;

import static dev.isthmus.cli.install.Cli.certificates;
import static dev.isthmus.cli.install.Cli.concat;
import static dev.isthmus.cli.install.Cli.identityFlags;
import static dev.isthmus.cli.install.Cli.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The printed manifests against a real kube-apiserver: CRDs created for real, everything else accepted by a
 * server-side dry run (through fabric8 always, and through {@code kubectl apply --dry-run=server} with the kubectl
 * {@link KubeApiServer#kubectl()} finds: on PATH, else the one tools/kube-testenv/build.sh builds), the kustomize
 * build of deploy/ equal to the CLI's output, and the uninstall commands' refusal while Links exist. The cases that
 * only dry-run share one API server; the two that install for real (and uninstall, which leaves namespaces
 * Terminating for good without a controller-manager) each start their own, so every case runs alone or in any order.
 */
@Timeout(300)
class InstallApiServerIT {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static final String NO_KUBECTL = "kubectl is neither on PATH nor in " + KubeApiServer.binDir();

    private static KubeApiServer api;
    private static KubernetesClient client;
    private static Optional<Path> kubectl;

    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        KubeApiServer.assumeAvailable();
        kubectl = KubeApiServer.kubectl();
        if (kubectl.isEmpty() && System.getenv("CI") != null) {
            // In CI a skip would hide that the kubectl checks never ran, as KubeApiServer.assumeAvailable() does.
            throw new AssertionError(NO_KUBECTL + " (run tools/kube-testenv/build.sh, which builds it)");
        }
        kubectl.ifPresent(path -> System.err.println("kubectl checks use " + path));
        api = KubeApiServer.start("west");
        client = api.client();
        certificates(dir);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void theCrdsAreCreatedAndEstablished() throws Exception {
        String yaml = isthmus("install", "--crds").ok().out();
        for (HasMetadata crd : Manifests.parse(yaml, "install --crds")) {
            client.resource(crd).create();
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(InstallApiServerIT::established, 30, TimeUnit.SECONDS);
        }
        kubectlDryRun(yaml);
    }

    @Test
    void theControlPlaneMulticlusterAndAllowAreAcceptedByAServerSideDryRun() throws Exception {
        List<String> outputs = List.of(isthmus(concat(new String[] {"install"}, identityFlags(dir))).ok().out(),
                isthmus("multicluster", "install", "--identity-trust-anchors-file", dir.resolve("root.crt").toString()).ok().out(),
                isthmus("multicluster", "allow", "--service-account-name", "west").ok().out());
        for (String yaml : outputs) {
            List<HasMetadata> objects = Manifests.parse(yaml, "install");
            // A dry run does not create the namespace the rest of the objects go in; create it for real.
            objects.stream().filter(Namespace.class::isInstance).forEach(ns -> client.resource(ns).createOr(r -> r.update()));
            for (HasMetadata object : objects) {
                if (!(object instanceof Namespace)) {
                    assertThat(client.resource(object).dryRun().create()).as("dry-run of %s", object.getMetadata().getName())
                            .isNotNull();
                }
            }
            kubectlDryRun(yaml);
        }
    }

    @Test
    void kustomizeBuildsTheSameObjectsTheCliPrints() throws Exception {
        Assumptions.assumeTrue(kubectl.isPresent(), NO_KUBECTL + ": the kustomize comparison needs `kubectl kustomize`");
        Path copy = dir.resolve("deploy");
        copyTree(Cli.deploy(), copy);
        for (String sub : List.of("control-plane", "multicluster")) {
            for (String file : List.of("root.crt", "issuer.crt", "issuer.key")) {
                Files.copy(dir.resolve(file), copy.resolve(sub).resolve(file));
            }
        }
        Map<String, String> cli = Map.of(
                "crds", isthmus("install", "--crds").ok().out(),
                "control-plane", isthmus(concat(new String[] {"install"}, identityFlags(dir))).ok().out(),
                "multicluster", isthmus("multicluster", "install", "--identity-trust-anchors-file",
                        dir.resolve("root.crt").toString()).ok().out());
        for (var entry : cli.entrySet()) {
            String built = run(List.of(kubectl.get().toString(), "kustomize", copy.resolve(entry.getKey()).toString()), null);
            Map<String, HasMetadata> kustomized = byKey(Manifests.parse(built, "kustomize " + entry.getKey()));
            Map<String, HasMetadata> printed = byKey(Manifests.parse(entry.getValue(), entry.getKey()));
            // The CLI adds the installation's gateway id, which deploy/ must not carry (every cluster would share it).
            printed.values().stream().filter(o -> o instanceof ConfigMap c && c.getData() != null
                    && c.getData().containsKey("gateway.yaml")).map(ConfigMap.class::cast)
                    .forEach(c -> c.getData().put("gateway.yaml", c.getData().get("gateway.yaml").replaceFirst("(?m)^id: _isthmus-[a-z2-7]{12}\\n", "")));
            assertThat(kustomized.keySet()).as("kubectl kustomize deploy/%s vs the CLI", entry.getKey())
                    .containsExactlyInAnyOrderElementsOf(printed.keySet());
            for (String key : printed.keySet()) {
                // As JSON trees: kustomize sorts map keys, the CLI keeps deploy/'s order.
                assertThat((Object) JSON.valueToTree(kustomized.get(key)))
                        .as("%s: kustomize%n%s%nvs the CLI%n%s", key, Serialization.asYaml(kustomized.get(key)),
                                Serialization.asYaml(printed.get(key)))
                        .isEqualTo((Object) JSON.valueToTree(printed.get(key)));
            }
            kubectlDryRun(built);
        }
    }

    @Test
    void multiclusterInstallReadsTheAnchorsAndTrustDomainOfTheInstalledControlPlane() throws Exception {
        try (KubeApiServer api = KubeApiServer.start("installed")) {
            multiclusterInstallReadsTheInstalledControlPlane(api, api.client());
        }
    }

    private static void multiclusterInstallReadsTheInstalledControlPlane(KubeApiServer api, KubernetesClient client)
            throws Exception {
        String controlPlane = isthmus(concat(concat(new String[] {"install"}, identityFlags(dir)), "--trust-domain", "east.example"))
                .ok().out();
        for (HasMetadata object : Manifests.parse(controlPlane, "install")) {
            client.resource(object).createOr(r -> r.update());
        }
        String kubeconfig = api.kubeconfig().toString();
        List<HasMetadata> printed = Manifests.parse(isthmus("--kubeconfig", kubeconfig, "--context", api.name(),
                "multicluster", "install").ok().out(), "multicluster install");
        ConfigMap roots = Manifests.find(printed, ConfigMap.class, Names.TRUST_ROOTS_CONFIG_MAP);
        assertThat(roots.getMetadata().getNamespace()).isEqualTo(Names.MULTICLUSTER_NAMESPACE);
        assertThat(roots.getData()).containsEntry(Names.TRUST_ROOTS_KEY, Files.readString(dir.resolve("root.crt")));
        assertThat(InstallManifestsTest.gatewayFile(printed).config().identity().toString())
                .isEqualTo(Names.gatewayIdentity("east.example"));
        // The installation id comes from this cluster's kube-system UID: printing again keeps it.
        String uid = client.namespaces().withName("kube-system").get().getMetadata().getUid();
        GatewayId id = InstallManifestsTest.gatewayFile(printed).config().id();
        assertThat(id).isEqualTo(GatewayId.derivedFrom("east.example", Names.MULTICLUSTER_NAMESPACE, uid));
        CliRun again = isthmus("--kubeconfig", kubeconfig, "--context", api.name(), "multicluster", "install").ok();
        assertThat(InstallManifestsTest.gatewayFile(Manifests.parse(again.out(), "multicluster install")).config().id()).isEqualTo(id);
        assertThat(again.err()).doesNotContain("gateway id");

        client.configMaps().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.TRUST_ROOTS_CONFIG_MAP).delete();
        CliRun missing = isthmus("--kubeconfig", kubeconfig, "multicluster", "install");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("the control plane is not installed", "isthmus/isthmus-identity-trust-roots not found",
                "--identity-trust-anchors-file");
        for (HasMetadata object : Manifests.parse(controlPlane, "install")) {
            client.resource(object).createOr(r -> r.update());
        }
    }

    @Test
    void theUninstallsRefuseWhileLinksExistThenPrintWhatKubectlDeletes() throws Exception {
        try (KubeApiServer api = KubeApiServer.start("uninstalled")) {
            KubernetesClient client = api.client();
            for (HasMetadata crd : Manifests.parse(isthmus("install", "--crds").ok().out(), "install --crds")) {
                client.resource(crd).create();
                client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                        .waitUntilCondition(InstallApiServerIT::established, 30, TimeUnit.SECONDS);
            }
            for (HasMetadata object : Manifests.parse(isthmus(concat(new String[] {"install"}, identityFlags(dir))).ok().out(),
                    "install")) {
                client.resource(object).createOr(r -> r.update());
            }
            uninstallsRefuseWhileLinksExist(api, client);
        }
    }

    private static void uninstallsRefuseWhileLinksExist(KubeApiServer api, KubernetesClient client) throws Exception {
        String kubeconfig = api.kubeconfig().toString();
        for (String yaml : List.of(isthmus("--kubeconfig", kubeconfig, "multicluster", "install").ok().out(),
                isthmus("multicluster", "allow", "--service-account-name", "west", "-n", "default").ok().out())) {
            for (HasMetadata object : Manifests.parse(yaml, "multicluster")) {
                client.resource(object).createOr(r -> r.update());
            }
        }
        client.resource(new GenericKubernetesResourceBuilder().withApiVersion(Names.LINK_GROUP + "/" + Names.LINK_VERSION)
                .withKind(Names.LINK_KIND).withNewMetadata().withName("east").withNamespace(Names.MULTICLUSTER_NAMESPACE).endMetadata()
                .addToAdditionalProperties("spec", Map.of("targetClusterName", "east", "clusterCredentialsSecret",
                        "cluster-credentials-east", "gatewayIdentity", Names.gatewayIdentity("cluster.local")))
                .build()).create();
        // What allow printed before links used TokenRequest only: uninstall still finds it by its label.
        client.resource(new SecretBuilder().withNewMetadata().withName("west-token").withNamespace("default")
                .addToLabels("app.kubernetes.io/name", "isthmus-mirror-remote-access")
                .addToAnnotations("kubernetes.io/service-account.name", "west").endMetadata()
                .withType("kubernetes.io/service-account-token").build()).create();

        CliRun refused = isthmus("--kubeconfig", kubeconfig, "multicluster", "uninstall");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("Links exist: isthmus-multicluster/east", "isthmus multicluster unlink --cluster-name east");
        CliRun controlPlaneRefused = isthmus("--kubeconfig", kubeconfig, "uninstall");
        assertThat(controlPlaneRefused.exit()).isEqualTo(1);
        assertThat(controlPlaneRefused.err()).contains("Links exist: isthmus-multicluster/east");

        client.genericKubernetesResources(Names.LINK_GROUP + "/" + Names.LINK_VERSION, Names.LINK_KIND)
                .inNamespace(Names.MULTICLUSTER_NAMESPACE).withName("east").delete();
        String multicluster = isthmus("--kubeconfig", kubeconfig, "multicluster", "uninstall").ok().out();
        List<HasMetadata> stubs = Manifests.parse(multicluster, "multicluster uninstall");
        assertThat(stubs).extracting(InstallManifestsTest::key).contains("Namespace/null/isthmus-multicluster",
                "ClusterRoleBinding/null/isthmus-mirror-remote-access-default-west", "ServiceAccount/default/west",
                "Secret/default/west-token", "ClusterRole/null/isthmus-gateway");
        delete(api, multicluster);
        assertThat(client.rbac().clusterRoleBindings().withName("isthmus-mirror-remote-access-default-west").get()).isNull();
        assertThat(client.serviceAccounts().inNamespace("default").withName("west").get()).isNull();

        // Without a controller-manager the namespace stays Terminating; uninstall treats it as gone.
        String controlPlane = isthmus("--kubeconfig", kubeconfig, "uninstall").ok().out();
        assertThat(Manifests.parse(controlPlane, "uninstall")).extracting(InstallManifestsTest::key).contains(
                "Namespace/null/isthmus", "ClusterRoleBinding/null/isthmus-identity-auth-delegator",
                "Secret/isthmus/isthmus-identity-issuer", "CustomResourceDefinition/null/links.multicluster.isthmus.dev");
        delete(api, controlPlane);
        assertThat(client.rbac().clusterRoleBindings().withName("isthmus-identity-auth-delegator").get()).isNull();
    }

    private static void delete(KubeApiServer server, String yaml) throws Exception {
        if (kubectl.isPresent()) {
            run(List.of(kubectl.get().toString(), "--kubeconfig", server.kubeconfig().toString(), "delete", "--wait=false", "--ignore-not-found", "-f", "-"), yaml);
        } else {
            for (HasMetadata stub : Manifests.parse(yaml, "uninstall")) {
                server.client().resource(stub).delete();
            }
        }
    }

    private static void kubectlDryRun(String yaml) throws Exception {
        if (kubectl.isEmpty()) {
            System.err.println(NO_KUBECTL + ": checked with fabric8's server-side dry run only");
            return;
        }
        String out = run(List.of(kubectl.get().toString(), "--kubeconfig", api.kubeconfig().toString(), "apply",
                "--dry-run=server", "-f", "-"), yaml);
        assertThat(out).contains("(server dry run)");
    }

    private static String run(List<String> command, String stdin) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s:%n%s", command, out).isZero();
        return out;
    }

    private static boolean established(CustomResourceDefinition crd) {
        // The API server writes the status in steps: right after the create, conditions can still be null.
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Map<String, HasMetadata> byKey(List<HasMetadata> objects) {
        Map<String, HasMetadata> map = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            // kustomize folds long base64 values over lines; the API server's decoder ignores the newlines.
            if (object instanceof Secret secret && secret.getData() != null) {
                secret.getData().replaceAll((k, v) -> v.replaceAll("\\s", ""));
            }
        }
        objects.stream().sorted(java.util.Comparator.comparing(InstallManifestsTest::key))
                .forEach(o -> map.put(InstallManifestsTest.key(o), o));
        return map;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = new ArrayList<>(walk.toList());
        }
        for (Path source : paths) {
            Path target = to.resolve(from.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target);
            }
        }
    }
}
