package dev.isthmus.cli.install;

import static dev.isthmus.cli.install.Cli.certificates;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.GatewayId;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart against a real kube-apiserver: where Helm can read the cluster it derives the gateway id as
 * {@code multicluster install} does (from kube-system's UID and the trust domain), and {@code helm install}
 * creates every object of the chart, CRDs first, on the server (no controllers run here, so no pods).
 */
@Timeout(300)
class HelmChartApiServerIT {

    @TempDir static Path dir;

    @Test
    void helmDerivesTheCliGatewayIdFromTheClusterAndTheServerTakesEveryObject() {
        KubeApiServer.assumeAvailable();
        Helm.assumeAvailable();
        certificates(dir);
        try (KubeApiServer api = KubeApiServer.start("west")) {
            KubernetesClient client = api.client();
            String uid = client.namespaces().withName("kube-system").get().getMetadata().getUid();
            String[] cluster = {"--kubeconfig", api.kubeconfig().toString(), "--kube-context", api.name()};
            for (String domain : List.of("cluster.local", "west.example")) {
                String rendered = Helm.run(dir, Cli.concat(Cli.concat(new String[] {"template", "isthmus", Helm.CHART.toString(),
                    "--dry-run=server", "--set", "identityTrustDomain=" + domain}, values()), cluster)).ok().out();
                List<HasMetadata> objects = Manifests.parse(rendered, "helm template --dry-run=server");
                assertThat(InstallManifestsTest.gatewayFile(objects).config().id()).as("trust domain %s", domain)
                        .isEqualTo(GatewayId.derivedFrom(domain, Names.MULTICLUSTER_NAMESPACE, uid));
            }

            Helm.Run installed = Helm.run(dir, Cli.concat(Cli.concat(new String[] {"install", "isthmus", Helm.CHART.toString()},
                    values()), cluster)).ok();
            assertThat(installed.out()).contains("STATUS: deployed");
            assertThat(client.apps().deployments().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(Names.GATEWAY).get())
                    .isNotNull();
            assertThat(client.configMaps().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName("isthmus-gateway-config").get()
                    .getData().get("gateway.yaml")).contains("id: " + GatewayId.derivedFrom("cluster.local",
                            Names.MULTICLUSTER_NAMESPACE, uid));
            assertThat(client.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.IDENTITY_ISSUER_SECRET).get())
                    .isNotNull();
            assertThat(client.apiextensions().v1().customResourceDefinitions()
                    .withName(Names.LINK_PLURAL + "." + Names.LINK_GROUP).get()).isNotNull();
            Helm.run(dir, Cli.concat(new String[] {"uninstall", "isthmus"}, cluster)).ok();
        }
    }

    private static String[] values() {
        return new String[] {"--set-file", "identityTrustAnchorsPEM=" + dir.resolve("root.crt"),
            "--set-file", "identity.issuer.tls.crtPEM=" + dir.resolve("issuer.crt"),
            "--set-file", "identity.issuer.tls.keyPEM=" + dir.resolve("issuer.key")};
    }
}
