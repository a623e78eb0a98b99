package dev.isthmus.mirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.link.RemoteAccess;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/**
 * Two real API servers, {@code west} (where mirrors are written) and {@code east} (the target), set up
 * as {@code isthmus multicluster install} and {@code link} would: the Link CRD, the remote-access RBAC
 * and its token in a credentials Secret, the local gateway's EndpointSlices: the LoadBalancer Service's with
 * only the mTLS port, and the admin Service's, whose {@code admin} port is a tiny HTTP server serving
 * {@code /links} as the test says.
 */
final class TwoClusters implements AutoCloseable {

    static final String LINK = "east";
    static final String NS = Names.MULTICLUSTER_NAMESPACE;
    /**
     * The API server refuses loopback addresses in EndpointSlices, so the local gateway's endpoint is
     * this machine's first non-loopback IPv4 address, where the admin server listens too. A machine
     * without one registers an unroutable address and tells the controller where /links is instead.
     */
    static final String GATEWAY_IP = siteAddress().orElse("192.0.2.254");
    static final boolean ADMIN_REACHABLE_THROUGH_SLICE = siteAddress().isPresent();

    final KubeApiServer west;
    final KubeApiServer east;
    final HttpServer admin;
    volatile String linksJson = links(true);
    String remoteKubeconfig;
    /** Where the Link's kubeconfig says east's API server is: east's own address unless a test put something in front. */
    java.net.URI linkServer;

    private TwoClusters(KubeApiServer west, KubeApiServer east, HttpServer admin) {
        this.west = west;
        this.east = east;
        this.admin = admin;
    }

    static TwoClusters start() throws Exception {
        return start(List.of(), java.util.function.UnaryOperator.identity());
    }

    /**
     * As {@link #start()}, with extra kube-apiserver flags for east, and the address the Link's kubeconfig
     * gives for east's API server chosen by {@code linkServer} from east's real one (e.g. a relay in front).
     */
    static TwoClusters start(List<String> eastApiServerFlags, java.util.function.UnaryOperator<java.net.URI> linkServer)
            throws Exception {
        KubeApiServer.assumeAvailable();
        CompletableFuture<KubeApiServer> eastStarting = CompletableFuture.supplyAsync(
                () -> KubeApiServer.start("east", eastApiServerFlags));
        KubeApiServer west;
        try {
            west = KubeApiServer.start("west");
        } catch (RuntimeException e) {
            eastStarting.thenAccept(KubeApiServer::close);
            throw e;
        }
        KubeApiServer east;
        try {
            east = eastStarting.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            west.close();
            throw e;
        }
        HttpServer admin = HttpServer.create(new InetSocketAddress(
                ADMIN_REACHABLE_THROUGH_SLICE ? GATEWAY_IP : "127.0.0.1", 0), 0);
        TwoClusters clusters = new TwoClusters(west, east, admin);
        clusters.linkServer = linkServer.apply(east.url());
        admin.createContext("/links", exchange -> {
            String json = clusters.linksJson;
            if (json == null) { // as a gateway that is not serving: the controller hears no answer
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        admin.start();
        try {
            clusters.setUp();
        } catch (IOException | RuntimeException e) {
            clusters.close();
            throw e;
        }
        return clusters;
    }

    /** Where the controller reads /links when the gateway's EndpointSlice cannot lead it there; else null. */
    java.net.URI adminOverride() {
        return ADMIN_REACHABLE_THROUGH_SLICE ? null
                : java.net.URI.create("http://127.0.0.1:" + admin.getAddress().getPort());
    }

    private static java.util.Optional<String> siteAddress() {
        try {
            for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (var address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return java.util.Optional.of(address.getHostAddress());
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // no interfaces to look at
        }
        return java.util.Optional.empty();
    }

    static String links(boolean alive) {
        return "{\"links\":[{\"link\":\"" + LINK + "\",\"identity\":\"" + Names.gatewayIdentity("cluster.local")
                + "\",\"alive\":" + alive + ",\"probed\":true,\"consecutiveFailures\":" + (alive ? 0 : 3)
                + ",\"latencyMs\":" + (alive ? "2.5" : "null") + ",\"lastError\":" + (alive ? "null" : "\"connect timed out\"")
                + ",\"lastChange\":\"2026-11-25T13:00:00Z\"}]}";
    }

    private void setUp() throws IOException {
        KubernetesClient w = west.client();
        try (InputStream crd = Link.class.getResourceAsStream("/dev/isthmus/mirror/crds/links.yaml")) {
            CustomResourceDefinition definition = w.apiextensions().v1().customResourceDefinitions().load(crd).item();
            w.apiextensions().v1().customResourceDefinitions().resource(definition).create();
            w.apiextensions().v1().customResourceDefinitions().withName(definition.getMetadata().getName())
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream().anyMatch(
                                    cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                            30, TimeUnit.SECONDS);
        }
        namespace(west, NS);
        // The local gateway, as `multicluster install` makes it: the LoadBalancer Service's slice has only the
        // mTLS port; the admin port (the test's HTTP server) is on the ClusterIP Service isthmus-gateway-admin.
        w.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(Names.GATEWAY + "-abcde").withNamespace(NS)
                .addToLabels(Names.SERVICE_NAME_LABEL, Names.GATEWAY).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(GATEWAY_IP).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(Names.GATEWAY_PORT).withProtocol("TCP").endPort()
                .build()).create();
        w.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(Names.GATEWAY_ADMIN + "-fghij").withNamespace(NS)
                .addToLabels(Names.SERVICE_NAME_LABEL, Names.GATEWAY_ADMIN).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(GATEWAY_IP).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName(Names.ADMIN_PORT_NAME).withPort(admin.getAddress().getPort()).withProtocol("TCP").endPort()
                .build()).create();

        // The target: remote-access RBAC, a token for it, the gateway Service; the kubeconfig goes to west.
        RemoteAccess.install(east.client());
        String token = east.serviceAccountToken(NS, RemoteAccess.SERVICE_ACCOUNT, List.of());
        Config admin = Config.fromKubeconfig(Files.readString(east.kubeconfig()));
        String ca = admin.getCaCertData() != null
                ? new String(java.util.Base64.getDecoder().decode(admin.getCaCertData()), StandardCharsets.UTF_8)
                : Files.readString(java.nio.file.Path.of(admin.getCaCertFile()));
        remoteKubeconfig = RemoteAccess.kubeconfig(LINK, linkServer, ca, token);
        w.secrets().inNamespace(NS).resource(RemoteAccess.credentialsSecret(LINK, NS, remoteKubeconfig)).create();
        east.client().services().inNamespace(NS).resource(new ServiceBuilder()
                .withNewMetadata().withName(Names.GATEWAY).withNamespace(NS).endMetadata()
                .withNewSpec().withType("LoadBalancer").addToSelector("app", "gateway")
                .addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(Names.GATEWAY_PORT).endPort().endSpec()
                .build()).create();

        w.resources(Link.class).inNamespace(NS).resource(link()).create();
    }

    static Link link() {
        Link link = new Link();
        link.setMetadata(new ObjectMetaBuilder().withName(LINK).withNamespace(NS).build());
        LinkSpec spec = new LinkSpec();
        spec.targetClusterName = LINK;
        spec.clusterCredentialsSecret = Names.credentialsSecret(LINK);
        spec.gatewayIdentity = Names.gatewayIdentity("cluster.local");
        spec.selector = new LabelSelectorBuilder().addToMatchLabels(Names.EXPORTED_LABEL, "true").build();
        spec.excludedLabels = List.of("team.example.com/*");
        spec.excludedAnnotations = List.of("secret-annotation");
        link.setSpec(spec);
        return link;
    }

    static void namespace(KubeApiServer server, String name) {
        try {
            server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                    .build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** An exported Service in east, with a ready endpoint so its mirror is ready. */
    Service export(String namespace, String name, int... ports) {
        ServiceBuilder builder = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Names.EXPORTED_LABEL, "true").addToLabels("app", name)
                .addToLabels("team.example.com/owner", "ops")
                .addToAnnotations("docs", "https://example.com/" + name).addToAnnotations("secret-annotation", "x")
                .endMetadata()
                .withNewSpec().addToSelector("app", name).endSpec();
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-xyz")
                .withNamespace(namespace).addToLabels(Names.SERVICE_NAME_LABEL, name).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.42.0.9").withNewConditions().withReady(true).endConditions().endEndpoint();
        for (int port : ports) {
            builder.editSpec().addToPorts(new ServicePortBuilder().withName("p" + port).withPort(port).build()).endSpec();
            slice.addNewPort().withName("p" + port).withPort(port).withProtocol("TCP").endPort();
        }
        Service created = east.client().services().inNamespace(namespace).resource(builder.build()).create();
        east.client().discovery().v1().endpointSlices().inNamespace(namespace).resource(slice.build()).create();
        return created;
    }

    Service mirror(String namespace, String name) {
        return west.client().services().inNamespace(namespace).withName(name + "-" + LINK).get();
    }

    io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice mirrorSlice(String namespace, String name) {
        return west.client().discovery().v1().endpointSlices().inNamespace(namespace).withName(name + "-" + LINK).get();
    }

    Link currentLink() {
        return west.client().resources(Link.class).inNamespace(NS).withName(LINK).get();
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    static Map<String, String> versions(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
        Map<String, String> versions = new java.util.TreeMap<>();
        for (var object : objects) {
            versions.put(object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName(),
                    object.getMetadata().getUid() + "@" + object.getMetadata().getResourceVersion());
        }
        assertThat(versions).isNotEmpty();
        return versions;
    }

    @Override
    public void close() {
        admin.stop(0);
        try {
            east.close();
        } finally {
            west.close();
        }
    }
}
