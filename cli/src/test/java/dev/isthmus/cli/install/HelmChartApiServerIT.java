package dev.isthmus.cli.install;

import static dev.isthmus.cli.install.Cli.certificates;
import static dev.isthmus.cli.install.Cli.concat;
import static dev.isthmus.cli.install.Cli.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

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
 * The chart against a real kube-apiserver: {@code helm install} creates every object of the chart, CRDs first,
 * on the server (no controllers run here, so no pods), and where Helm can read the cluster it derives the
 * gateway id {@code multicluster install} derives from the same cluster (kube-system's UID and the trust domain).
 */
@Timeout(300)
class HelmChartApiServerIT {

    @TempDir static Path dir;

    @Test
    void helmInstallCreatesEveryObjectAndDerivesTheGatewayIdTheCliDerives() {
        KubeApiServer.assumeAvailable();
        Helm.assumeAvailable();
        certificates(dir);
        try (KubeApiServer api = KubeApiServer.start("west")) {
            KubernetesClient client = api.client();
            String[] cluster = {"--kubeconfig", api.kubeconfig().toString(), "--kube-context", api.name()};
            String[] cli = {"--kubeconfig", api.kubeconfig().toString(), "--context", api.name()};

            Helm.Run installed = Helm.run(dir, concat(concat(new String[] {"install", "isthmus", Helm.CHART.toString()}, values()),
                    cluster)).ok();
            assertThat(installed.out()).contains("STATUS: deployed");
            assertThat(client.apiextensions().v1().customResourceDefinitions()
                    .withName(Names.LINK_PLURAL + "." + Names.LINK_GROUP).get()).isNotNull();
            assertThat(client.secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.IDENTITY_ISSUER_SECRET).get())
                    .isNotNull();
            assertThat(client.apps().deployments().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(Names.GATEWAY).get())
                    .isNotNull();

            // What the chart installed, and what `multicluster install` prints reading the same cluster (its
            // anchors from the ConfigMap Helm made, its id from kube-system's UID): the same id.
            String helmConfig = client.configMaps().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName("isthmus-gateway-config").get()
                    .getData().get("gateway.yaml");
            Object cliId = id(Manifests.parse(isthmus(concat(cli, "multicluster", "install")).ok().out(), "multicluster install"));
            assertThat(helmConfig).contains("id: " + cliId);

            // The trust domain is part of the derivation: with another, both derive another id, still the same one.
            String rendered = Helm.run(dir, concat(concat(new String[] {"template", "isthmus", Helm.CHART.toString(), "--dry-run=server",
                "--set", "identityTrustDomain=west.example"}, values()), cluster)).ok().out();
            Object helmWest = id(Manifests.parse(rendered, "helm template --dry-run=server"));
            Object cliWest = id(Manifests.parse(isthmus(concat(cli, "multicluster", "install", "--trust-domain", "west.example")).ok().out(),
                    "multicluster install --trust-domain west.example"));
            assertThat(helmWest).isEqualTo(cliWest).isNotEqualTo(cliId);

            Helm.run(dir, concat(new String[] {"uninstall", "isthmus"}, cluster)).ok();
        }
    }

    private static Object id(List<HasMetadata> objects) {
        return InstallManifestsTest.gatewayFile(objects).config().id();
    }

    private static String[] values() {
        return new String[] {"--set-file", "identityTrustAnchorsPEM=" + dir.resolve("root.crt"),
            "--set-file", "identity.issuer.tls.crtPEM=" + dir.resolve("issuer.crt"),
            "--set-file", "identity.issuer.tls.keyPEM=" + dir.resolve("issuer.key")};
    }
}
