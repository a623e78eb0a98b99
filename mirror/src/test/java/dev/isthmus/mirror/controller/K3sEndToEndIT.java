package dev.isthmus.mirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.RemoteAccess;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end on a real k3s (every controller running, unlike the bare API servers of
 * {@link MirrorControllerIT}): the cluster {@code east} of the local test environment
 * ({@code tools/k3s-testenv}, k3s built from its Go module) links to itself, so {@code podinfo} is
 * mirrored as {@code podinfo-self} beside it. Where the environment cannot start Docker the class
 * is skipped with the reason, except under {@code CI=true}, where that fails.
 */
@Timeout(300)
class K3sEndToEndIT {

    private static dev.isthmus.testkit.k3s.TwoClusters clusters;

    // A source tree changed since the last run rebuilds the Isthmus image first (a Maven build).
    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    static void startTheClusters() {
        dev.isthmus.testkit.k3s.TwoClusters.assumeAvailable();
        clusters = dev.isthmus.testkit.k3s.TwoClusters.start();
    }

    @AfterAll
    static void stopTheClusters() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void aServiceExportedInK3sIsMirroredWithEndpointSlicesTheApiServerAccepts() throws Exception {
        // The merged kubeconfig's current context is east; the mirror runs here, where its server is.
        String kubeconfig = Files.readString(clusters.kubeconfig());
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
            try (InputStream crd = Link.class.getResourceAsStream("/dev/isthmus/mirror/crds/links.yaml")) {
                CustomResourceDefinition definition = client.apiextensions().v1().customResourceDefinitions().load(crd).item();
                client.apiextensions().v1().customResourceDefinitions().resource(definition).create();
                client.apiextensions().v1().customResourceDefinitions().withName(definition.getMetadata().getName())
                        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType())),
                                60, TimeUnit.SECONDS);
            }
            RemoteAccess.install(client);
            client.secrets().inNamespace(Names.MULTICLUSTER_NAMESPACE)
                    .resource(RemoteAccess.credentialsSecret("self", Names.MULTICLUSTER_NAMESPACE, kubeconfig)).create();
            Link link = TwoClusters.link();
            link.getMetadata().setName("self");
            link.getSpec().targetClusterName = "self";
            link.getSpec().clusterCredentialsSecret = Names.credentialsSecret("self");
            client.resources(Link.class).inNamespace(Names.MULTICLUSTER_NAMESPACE).resource(link).create();
            client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("podinfo")
                    .addToLabels(Names.EXPORTED_LABEL, "true").endMetadata()
                    .withNewSpec().addToSelector("app", "podinfo").addNewPort().withName("http").withPort(9898).endPort()
                    .endSpec().build()).create();

            try (ServiceMirror mirror = new ServiceMirror(client, new RequestCounter(), Names.MULTICLUSTER_NAMESPACE, "self",
                    MirrorOptions.defaults("k3s-test"), new SimpleMeterRegistry()).start()) {
                TwoClusters.await(Duration.ofSeconds(60), "podinfo-self and its slice exist", () ->
                        client.discovery().v1().endpointSlices().inNamespace("default").withName("podinfo-self").get() != null);
                Service mirrored = client.services().inNamespace("default").withName("podinfo-self").get();
                assertThat(mirrored.getSpec().getClusterIP()).isNotBlank();
                EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace("default")
                        .withName("podinfo-self").get();
                assertThat(slice.getMetadata().getLabels()).containsEntry(Names.MANAGED_BY_LABEL, Names.MIRROR_CONTROLLER);
            }
        }
    }
}
