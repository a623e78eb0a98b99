package dev.isthmus.cli.multicluster;

import static dev.isthmus.cli.CliRun.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.mirror.controller.MirrorOptions;
import dev.isthmus.mirror.controller.RequestCounter;
import dev.isthmus.mirror.controller.ServiceMirror;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.RemoteAccess;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walkthrough's link flow with the real mirror: link east into west with the CLI's output, export podinfo
 * in east, see podinfo-east appear in west, then unlink and see everything of the link go.
 */
@Timeout(300)
class LinkFlowIT {

    private static final String NS = Names.MULTICLUSTER_NAMESPACE;

    @TempDir Path dir;

    @Test
    void linkExportMirrorUnlink() throws Exception {
        KubeApiServer.assumeAvailable();
        try (KubeApiServer east = KubeApiServer.start("east"); KubeApiServer west = KubeApiServer.start("west")) {
            Path kubeconfig = LinkIT.mergedKubeconfig(dir.resolve("kubeconfig"), east, west);
            KubernetesClient e = east.client();
            KubernetesClient w = west.client();
            RemoteAccess.install(e);
            e.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(Names.GATEWAY).endMetadata()
                    .withNewSpec().withType("LoadBalancer").addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(4143).endPort()
                    .endSpec().build()).create();
            for (KubernetesClient c : List.of(e, w)) {
                c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("test").endMetadata().build()).create();
            }
            w.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
            try (var crd = LinkFlowIT.class.getResourceAsStream("/dev/isthmus/mirror/crds/links.yaml")) {
                w.load(crd).items().forEach(o -> w.resource(o).create());
            }
            e.services().inNamespace("test").resource(new ServiceBuilder().withNewMetadata().withName("podinfo").endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(9898).endPort().endSpec().build()).create();

            // isthmus --context=east multicluster link --cluster-name east | kubectl --context=west apply -f -
            CliRun link = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "link", "--cluster-name", "east");
            assertThat(link.exit()).as(link.toString()).isZero();
            await("the Link CRD is served", () -> {
                try {
                    w.resources(Link.class).inNamespace(NS).list();
                    return true;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
            for (HasMetadata object : Manifests.parse(link.out(), "link output")) {
                w.resource(object).create();
            }

            // What the Deployment would run: `isthmus mirror run --link east`, reading the Link and its credentials.
            MirrorOptions options = MirrorOptions.defaults("isthmus-mirror-east-0").withHealthPeriod(Duration.ofMillis(300))
                    .withGatewayAdminUrl(URI.create("http://127.0.0.1:" + closedPort()));
            try (ServiceMirror mirror = new ServiceMirror(w, new RequestCounter(), NS, "east", options, new SimpleMeterRegistry()).start()) {
                // kubectl --context=east label svc -n test podinfo mirror.isthmus.dev/exported=true
                e.services().inNamespace("test").withName("podinfo").edit(s -> {
                    s.getMetadata().setLabels(Map.of(Names.EXPORTED_LABEL, "true"));
                    return s;
                });
                await("podinfo-east is mirrored into west", () -> w.services().inNamespace("test").withName("podinfo-east").get() != null);

                CliRun gateways = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "gateways");
                assertThat(gateways.out()).as(gateways.toString()).containsPattern("east\\s+\\S+\\s+1\\s+");

                CliRun unlink = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "unlink",
                        "--cluster-name", "east");
                assertThat(unlink.exit()).as(unlink.toString()).isZero();
                List<HasMetadata> stubs = Manifests.parse(unlink.out(), "unlink output");
                assertThat(stubs).extracting(o -> o.getKind() + " " + o.getMetadata().getName())
                        .contains("Service podinfo-east", "Link east", "Secret cluster-credentials-east", "Deployment isthmus-mirror-east");
                // kubectl delete -f -: the Deployment goes first, which stops the mirror
                mirror.close();
                for (HasMetadata stub : stubs) {
                    w.resource(stub).delete();
                }
            }
            await("podinfo-east is gone", () -> w.services().inNamespace("test").withName("podinfo-east").get() == null);
            assertThat(w.services().inAnyNamespace().withLabel(Names.CLUSTER_NAME_LABEL, "east").list().getItems()).isEmpty();
            assertThat(w.discovery().v1().endpointSlices().inAnyNamespace().withLabel(Names.CLUSTER_NAME_LABEL, "east").list().getItems()).isEmpty();
            assertThat(w.resources(Link.class).inNamespace(NS).list().getItems()).isEmpty();
            assertThat(e.services().inNamespace("test").withName("podinfo").get()).as("the target keeps its service").isNotNull();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(condition::getAsBoolean);
    }

    private static int closedPort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
