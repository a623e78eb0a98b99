package dev.isthmus.cli.multicluster;

import static dev.isthmus.cli.CliRun.isthmus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.cli.CliRun;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkStatus;
import dev.isthmus.mirror.link.RemoteAccess;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code link}, {@code check}, {@code gateways} and {@code unlink} against two real API servers: east (the
 * target) and west (the source). The tests build on each other, so they run in order.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkIT {

    private static final String NS = Names.MULTICLUSTER_NAMESPACE;
    private static final String IDENTITY = "spiffe://east.example/ns/isthmus-multicluster/sa/isthmus-gateway";

    private static KubeApiServer east;
    private static KubeApiServer west;
    private static Path kubeconfig;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        KubeApiServer.assumeAvailable();
        east = KubeApiServer.start("east");
        west = KubeApiServer.start("west");
        kubeconfig = mergedKubeconfig(dir.resolve("kubeconfig"), east, west);

        // east, the target: remote access as `multicluster install` makes it, and a gateway Service with an address
        RemoteAccess.install(east.client());
        Service gateway = east.client().services().inNamespace(NS).resource(new ServiceBuilder()
                .withNewMetadata().withName(Names.GATEWAY).withNamespace(NS)
                .withAnnotations(Map.of(LinkCommand.GATEWAY_IDENTITY_ANNOTATION, IDENTITY,
                        MulticlusterManifests.PROBE_PORT_ANNOTATION, "5191")).endMetadata()
                .withNewSpec().withType("LoadBalancer").withSelector(Map.of("app.kubernetes.io/name", Names.GATEWAY))
                .addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(4143).endPort().endSpec().build()).create();
        gateway.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                .addNewIngress().withIp("203.0.113.7").endIngress().endLoadBalancer().build());
        east.client().services().inNamespace(NS).resource(gateway).updateStatus();
        east.client().services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("podinfo")
                .withLabels(Map.of(Names.EXPORTED_LABEL, "true")).endMetadata()
                .withNewSpec().addNewPort().withPort(9898).endPort().endSpec().build()).create();

        // west, the source: the Link CRD and the namespace
        west.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        west.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("test").endMetadata().build()).create();
        try (var crd = LinkIT.class.getResourceAsStream("/dev/isthmus/mirror/crds/links.yaml")) {
            west.client().load(crd).items().forEach(o -> west.client().resource(o).create());
        }
        west.client().apiextensions().v1().customResourceDefinitions().withName(MulticlusterCheckCommand.CRD)
                .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions()
                        .stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (west != null) {
            west.close();
        }
        if (east != null) {
            east.close();
        }
    }

    @Test
    @Order(1)
    void linkOutputIsAcceptedByWestAndItsCredentialsMayOnlyRead() throws Exception {
        CliRun run = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "link", "--cluster-name", "east");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).as("the test API servers listen on 127.0.0.1, which no pod of west could reach")
                .contains("‼ the kubeconfig's server " + east.url() + " is a loopback address, which the source cluster's mirror"
                        + " cannot reach; link again with --api-server-address https://<east's API server");
        CliRun elsewhere = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "link",
                "--cluster-name", "east", "--api-server-address", "https://east.example:6443");
        assertThat(elsewhere.exit()).as(elsewhere.toString()).isZero();
        assertThat(elsewhere.err()).doesNotContain("loopback");
        assertThat(elsewhere.out()).contains("Secret");

        List<HasMetadata> objects = Manifests.parse(run.out(), "link output");
        assertThat(objects).extracting(o -> o.getKind() + " " + o.getMetadata().getName()).containsExactly(
                "Secret cluster-credentials-east", "Link east", "ServiceAccount isthmus-mirror-east", "Role isthmus-mirror-east",
                "RoleBinding isthmus-mirror-east", "ClusterRole isthmus-mirror-east", "ClusterRoleBinding isthmus-mirror-east",
                "Deployment isthmus-mirror-east");
        for (HasMetadata object : objects) {
            west.client().resource(object).create(); // what `kubectl apply` does first; the API server validates each
        }

        Link link = west.client().resources(Link.class).inNamespace(NS).withName("east").get();
        assertThat(link.getSpec().targetClusterName).isEqualTo("east");
        assertThat(link.getSpec().gatewayIdentity).as("from the gateway Service's annotation").isEqualTo(IDENTITY);
        assertThat(link.getSpec().gatewayAddress).as("empty: follows east's load balancer").isNull();
        assertThat(link.getSpec().gatewayPort).isEqualTo(4143);
        assertThat(link.getSpec().probeSpec.port).as("the admin port is not on the LoadBalancer; its annotation says it")
                .isEqualTo(5191);
        assertThat(link.getSpec().selector.getMatchLabels()).isEqualTo(Map.of(Names.EXPORTED_LABEL, "true"));
        var deployment = west.client().apps().deployments().inNamespace(NS).withName("isthmus-mirror-east").get();
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("mirror", "run", "--link=east");
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        var startup = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getStartupProbe();
        assertThat(startup).as("a startup probe holds off liveness while a JVM on a busy node starts").isNotNull();
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isGreaterThanOrEqualTo(180);

        Secret secret = west.client().secrets().inNamespace(NS).withName("cluster-credentials-east").get();
        assertThat(secret.getType()).isEqualTo(Names.CREDENTIALS_SECRET_TYPE);
        String remoteKubeconfig = new String(Base64.getDecoder().decode(secret.getData().get(Names.CREDENTIALS_KEY)), StandardCharsets.UTF_8);
        assertThat(remoteKubeconfig).contains("server: " + east.url()).doesNotContain("client-key-data");
        try (KubernetesClient remote = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(remoteKubeconfig)).build()) {
            assertThat(remote.services().inAnyNamespace().list().getItems()).extracting(s -> s.getMetadata().getName())
                    .contains("podinfo", Names.GATEWAY);
            var watch = remote.services().inAnyNamespace().watch(new Watcher<Service>() {
                @Override
                public void eventReceived(Action action, Service resource) {}

                @Override
                public void onClose(WatcherException cause) {}
            });
            watch.close();
            assertThat(remote.discovery().v1().endpointSlices().inAnyNamespace().list()).isNotNull();

            assertThatThrownBy(() -> remote.services().inNamespace("default").resource(new ServiceBuilder()
                    .withNewMetadata().withName("intruder").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec()
                    .build()).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> remote.secrets().inNamespace(NS).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    @Test
    @Order(2)
    void multiclusterCheckSeesTheLinkWorking() {
        KubernetesClient w = west.client();
        w.apps().deployments().inNamespace(NS).withName("isthmus-mirror-east").editStatus(d -> new DeploymentBuilder(d).editOrNewStatus()
                .withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
                .withConditions(new DeploymentCondition(null, null, "ok", "MinimumReplicasAvailable", "True", "Available")).endStatus().build());
        mirror(w, "podinfo", "east", true);

        CliRun ok = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "check");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("√ Link CRD exists", "√ Link resources are valid (east)",
                        "√ credentials for east can list Services there", "√ mirror controller for east is available",
                        "√ all mirror services have ready endpoints (1)")
                // The link's credentials may read east's anchors now; west has no control plane yet to compare them with.
                .contains("~ clusters share trust anchors with east\n    this cluster's anchors could not be read")
                .contains("√ east's gateway Service publishes only its mTLS port");

        // An installation from before isthmus-gateway-admin: its LoadBalancer publishes the admin port as mc-probe.
        var gateway = east.client().services().inNamespace(NS).withName(Names.GATEWAY);
        gateway.edit(svc -> new ServiceBuilder(svc).editSpec().addNewPort().withName(Names.PROBE_PORT_NAME).withPort(4191)
                .withNewTargetPort(Names.ADMIN_PORT_NAME).endPort().endSpec().build());
        try {
            CliRun exposed = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "check");
            assertThat(exposed.exit()).as("a warning: %s", exposed).isZero();
            assertThat(exposed.out()).contains("‼ east's gateway Service publishes only its mTLS port\n"
                    + "    Service isthmus-multicluster/isthmus-gateway (type LoadBalancer) publishes mc-probe 4191, the gateway's admin"
                    + " port: /metrics, /links, /tap and /dashboard answer anyone who reaches its address\n"
                    + "    apply `isthmus --context=east multicluster install` again: it publishes only mc-gateway and keeps the"
                    + " admin port on the ClusterIP Service isthmus-gateway-admin");
        } finally {
            gateway.edit(svc -> new ServiceBuilder(svc).editSpec()
                    .withPorts(svc.getSpec().getPorts().stream().filter(p -> !Names.PROBE_PORT_NAME.equals(p.getName())).toList())
                    .endSpec().build());
        }

        mirror(w, "broken", "east", false);
        CliRun broken = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "check");
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.out()).contains("× all mirror services have ready endpoints\n    test/broken-east: no ready endpoint");
        w.services().inNamespace("test").withName("broken-east").delete();
        w.discovery().v1().endpointSlices().inNamespace("test").withName("broken-east").delete();

        CliRun noCrd = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "check");
        assertThat(noCrd.exit()).isEqualTo(1);
        assertThat(noCrd.out()).contains("× Link CRD exists\n    no CustomResourceDefinition links.multicluster.isthmus.dev");
    }

    @Test
    @Order(3)
    void gatewaysPrintsTheLinksStatus() {
        KubernetesClient w = west.client();
        Link eastLink = w.resources(Link.class).inNamespace(NS).withName("east").get();
        eastLink.setStatus(status(true, 2.7));
        w.resources(Link.class).inNamespace(NS).resource(eastLink).updateStatus();
        Link north = new Link();
        north.getMetadata().setName("north");
        north.getMetadata().setNamespace(NS);
        north.setSpec(eastLink.getSpec());
        north.getSpec().targetClusterName = "north";
        north.getSpec().clusterCredentialsSecret = "cluster-credentials-north";
        north = w.resources(Link.class).inNamespace(NS).resource(north).create();
        north.setStatus(status(false, 900.0));
        w.resources(Link.class).inNamespace(NS).resource(north).updateStatus();
        mirror(w, "podinfo", "north", true);
        mirror(w, "frontend", "north", true);

        CliRun run = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "gateways");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "CLUSTER   ALIVE   NUM_SVC   LATENCY",
                "east      True    1         2.7ms",
                "north     False   2         -");
    }

    @Test
    @Order(4)
    void unlinkListsEveryObjectOfThatLinkAndNothingElse() {
        KubernetesClient w = west.client();
        // Look-alikes that are not east's mirrors: only one of the two labels, or another cluster's.
        w.services().inNamespace("test").resource(new ServiceBuilder().withNewMetadata().withName("lookalike-east")
                .withLabels(Map.of(Names.CLUSTER_NAME_LABEL, "east")).endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();

        CliRun run = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "unlink", "--cluster-name", "east");

        assertThat(run.exit()).as(run.toString()).isZero();
        List<HasMetadata> stubs = Manifests.parse(run.out(), "unlink output");
        assertThat(stubs).extracting(o -> o.getKind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                + o.getMetadata().getName()).containsExactly(
                "Deployment isthmus-multicluster/isthmus-mirror-east",
                "ServiceAccount isthmus-multicluster/isthmus-mirror-east",
                "Role isthmus-multicluster/isthmus-mirror-east",
                "RoleBinding isthmus-multicluster/isthmus-mirror-east",
                "ClusterRole isthmus-mirror-east",
                "ClusterRoleBinding isthmus-mirror-east",
                "Lease isthmus-multicluster/isthmus-mirror-east",
                "Link isthmus-multicluster/east",
                "Secret isthmus-multicluster/cluster-credentials-east",
                "EndpointSlice test/podinfo-east",
                "Service test/podinfo-east");

        for (HasMetadata stub : stubs) {
            w.resource(stub).delete(); // `kubectl delete -f -`; the Lease was never taken, so it is absent
        }
        assertThat(w.services().inNamespace("test").list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("podinfo-north", "frontend-north", "lookalike-east");
        assertThat(w.resources(Link.class).inNamespace(NS).list().getItems()).extracting(l -> l.getMetadata().getName())
                .containsExactly("north");
    }

    @Test
    @Order(5)
    void badInputSaysWhatIsWrong() {
        CliRun unknownContext = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "south", "multicluster", "link",
                "--cluster-name", "south");
        assertError(unknownContext, "--context south: no such context in " + kubeconfig + " (available: east, west)");

        assertError(isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "multicluster", "link", "--cluster-name", "west"),
                "no ServiceAccount isthmus-multicluster/isthmus-mirror-remote-access at " + west.url());
        assertError(isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "link", "--cluster-name", "East!"),
                "--cluster-name 'East!' (expected: a DNS label");
        assertError(isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "link", "--cluster-name", "east",
                "--selector", "a=(b"), "--selector 'a=(b': 'a=(b' is not a requirement (expected: a label selector as kubectl takes");
        assertError(isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "multicluster", "link", "--cluster-name", "east",
                "--api-server-address", "east.example:6443"), "--api-server-address east.example:6443 (expected: https://<host>:<port>");
    }

    @Test
    @Order(6)
    void checkComparesAnchorsAcrossContexts() {
        TestPki pki = TestPki.create();
        TestPki other = TestPki.create();
        controlPlane(east.client(), pki.root(), pki.newIssuer());
        controlPlane(west.client(), pki.root(), pki.newIssuer());

        CliRun same = isthmus("--kubeconfig", kubeconfig.toString(), "check", "--contexts", "east,west");
        assertThat(same.out()).contains("isthmus-identity (east)", "isthmus-identity (west)", "√ issuer key matches the issuer certificate",
                "√ identity issuer Deployment is available (1/1 ready)", "√ all contexts trust the same anchors (1 in each of east, west)");
        assertThat(same.out()).as("the gateway is an extension: not installed warns").contains("‼ multicluster gateway Deployment is available\n"
                + "    no Deployment isthmus-multicluster/isthmus-gateway (not installed?");
        assertThat(same.exit()).as(same.toString()).isZero();

        controlPlane(west.client(), other.root(), other.issuer());
        CliRun differ = isthmus("--kubeconfig", kubeconfig.toString(), "check", "--contexts", "east,west");
        assertThat(differ.exit()).isEqualTo(1);
        assertThat(differ.out()).contains("× all contexts trust the same anchors\n    east and west differ:\n      only in east: 'CN=root.isthmus.cluster.local' (SHA-256 ")
                .contains("only in west: 'CN=root.isthmus.cluster.local' (SHA-256 ");

        west.client().secrets().inNamespace(Names.CONTROL_PLANE_NAMESPACE).withName(Names.IDENTITY_ISSUER_SECRET).edit(s -> {
            s.getData().put("tls.key", Base64.getEncoder().encodeToString(Pem.encode(pki.root().key()).getBytes(StandardCharsets.US_ASCII)));
            return s;
        });
        CliRun badKey = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "west", "check");
        assertThat(badKey.out()).contains("× issuer key matches the issuer certificate\n    Secret isthmus/isthmus-identity-issuer key tls.key:"
                + " the key does not match the certificate");
    }

    private static void controlPlane(KubernetesClient client, CertificateAuthority root, CertificateAuthority issuer) {
        String ns = Names.CONTROL_PLANE_NAMESPACE;
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).createOr(n -> n.update());
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(Names.TRUST_ROOTS_CONFIG_MAP)
                .endMetadata().withData(Map.of(Names.TRUST_ROOTS_KEY, Pem.encode(root.chain()))).build()).createOr(c -> c.update());
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(Names.IDENTITY_ISSUER_SECRET).endMetadata()
                .withType("kubernetes.io/tls").withData(Map.of(
                        "tls.crt", base64(Pem.encode(issuer.chain())), "tls.key", base64(Pem.encode(issuer.key())))).build())
                .createOr(s -> s.update());
        if (client.apps().deployments().inNamespace(ns).withName(Names.IDENTITY).get() == null) {
            client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName(Names.IDENTITY).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "id").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "id").endMetadata().withNewSpec()
                    .addNewContainer().withName("identity").withImage("isthmus").endContainer().endSpec().endTemplate().endSpec().build())
                    .create();
            client.apps().deployments().inNamespace(ns).withName(Names.IDENTITY).editStatus(d -> new DeploymentBuilder(d).editOrNewStatus()
                    .withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
                    .withConditions(new DeploymentCondition(null, null, "ok", "MinimumReplicasAvailable", "True", "Available"))
                    .endStatus().build());
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A mirrored Service and its EndpointSlice, as the mirror controller writes them. */
    private static void mirror(KubernetesClient client, String service, String cluster, boolean ready) {
        String name = Names.mirrorName(service, cluster);
        Map<String, String> labels = Map.of(Names.MIRRORED_SERVICE_LABEL, "true", Names.CLUSTER_NAME_LABEL, cluster);
        client.services().inNamespace("test").resource(new ServiceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewPort().withPort(9898).endPort().endSpec().build()).create();
        Map<String, String> sliceLabels = new java.util.HashMap<>(labels);
        sliceLabels.put(Names.SERVICE_NAME_LABEL, name);
        sliceLabels.put(Names.MANAGED_BY_LABEL, Names.MIRROR_CONTROLLER);
        client.discovery().v1().endpointSlices().inNamespace("test").resource(new EndpointSliceBuilder().withNewMetadata().withName(name)
                .withLabels(sliceLabels).endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.0.0.9").withNewConditions().withReady(ready).endConditions().endEndpoint()
                .addNewPort().withPort(14000).endPort().build()).create();
    }

    private static LinkStatus status(boolean alive, double latencyMs) {
        LinkStatus status = new LinkStatus();
        status.gateway = new LinkStatus.GatewayHealth();
        status.gateway.alive = alive;
        status.gateway.latencyMs = latencyMs;
        return status;
    }

    private static void assertError(CliRun run, String message) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains(message).doesNotContain("Exception");
    }

    /** One kubeconfig holding both servers' contexts, as a user with two clusters has. */
    static Path mergedKubeconfig(Path file, KubeApiServer... servers) throws Exception {
        io.fabric8.kubernetes.api.model.Config merged = null;
        for (KubeApiServer server : servers) {
            var config = Serialization.unmarshal(Files.readString(server.kubeconfig()), io.fabric8.kubernetes.api.model.Config.class);
            if (merged == null) {
                merged = config;
                merged.setClusters(new ArrayList<>(config.getClusters()));
                merged.setUsers(new ArrayList<>(config.getUsers()));
                merged.setContexts(new ArrayList<>(config.getContexts()));
            } else {
                merged.getClusters().addAll(config.getClusters());
                merged.getUsers().addAll(config.getUsers());
                merged.getContexts().addAll(config.getContexts());
            }
        }
        return Files.writeString(file, Serialization.asYaml(merged));
    }
}
