package dev.isthmus.mirror.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.split.SplitController;
import dev.isthmus.mirror.split.TrafficSplit;
import dev.isthmus.mirror.split.TrafficSplitSpec;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole path with routes from Kubernetes: an unmodified HTTP client in west calls the listener that west's
 * gateway opened for a mirrored Service (or a TrafficSplit's apex) it read from a real kube-apiserver, and
 * reaches a backend behind east's gateway over mTLS.
 */
@Timeout(120)
class KubernetesRoutesEndToEndIT {

    static final SpiffeId EAST_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId WEST_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");

    static HttpServer eastBackend;
    static HttpServer westBackend;
    static PrometheusMeterRegistry eastRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    static PrometheusMeterRegistry westRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    static Gateway east;
    static Gateway west;
    static KubeApiServer api;
    static KubernetesClient client;
    static KubernetesRouteSource source;
    static SplitController splits;
    static ClusterFixture.Tables tables = new ClusterFixture.Tables();
    static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static int mirrorPort;
    static int apexPort;
    static String hostAddress;

    @BeforeAll
    static void start() throws Exception {
        KubeApiServer.assumeAvailable();
        eastBackend = backend("hello from east");
        westBackend = backend("hello from west");
        TestPki pki = TestPki.create();
        TrustAnchors anchors = pki.anchors();
        east = gateway(pki.newIssuer(), anchors, EAST_ID);
        east.routes(new RouteTable("cluster.local", List.of(new ExportedService("podinfo.test.svc.cluster.local", 9898,
                BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", eastBackend.getAddress().getPort(), true))))));
        west = gateway(pki.newIssuer(), anchors, WEST_ID);

        api = KubeApiServer.start("west");
        client = api.client();
        ClusterFixture.prepare(client, "test");
        mirrorPort = freePort();
        apexPort = freePort();
        Link link = KubeObjects.link("east", "127.0.0.1", null, east.inboundPort(), EAST_ID.toString());
        client.resources(Link.class).resource(link).create();
        client.services().resource(KubeObjects.mirrored("test", "podinfo-east", "east", "9898=" + mirrorPort,
                KubeObjects.port("http", 9898, null))).create();
        // West's own podinfo, for the split.
        client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace("test").withName("podinfo").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "podinfo")).addNewPort().withName("http").withPort(9898)
                .withProtocol("TCP").endPort().endSpec().build()).create();
        // The API server refuses loopback addresses in EndpointSlices: the pod is this machine's own non-loopback one.
        hostAddress = hostAddress();
        if (hostAddress != null) {
            client.discovery().v1().endpointSlices().resource(KubeObjects.slice("test", "podinfo-1", "podinfo",
                    Map.of("http", westBackend.getAddress().getPort()), new KubeObjects.Ep(hostAddress, true))).create();
        }

        source = new KubernetesRouteSource(client, "cluster.local", ExportSelector.parse("mirror.isthmus.dev/exported=true"),
                westRegistry, KubernetesRouteSource.DEBOUNCE);
        source.start(table -> {
            west.routes(table);
            tables.accept(table);
        });
        // A one-port range: the apex's listener port is one this test knows to be free.
        splits = new SplitController(client, "west-gateway-0", new PortRange(apexPort, apexPort), Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable part : new AutoCloseable[] {splits, source, api, west, east}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
        }
        westRegistry.close();
        eastRegistry.close();
        if (eastBackend != null) {
            eastBackend.stop(0);
        }
        if (westBackend != null) {
            westBackend.stop(0);
        }
    }

    @Test
    void aPlainClientInWestReachesEastThroughTheMirroredServicesListener() throws Exception {
        tables.await("the mirror's route", t -> t.outbound(mirrorPort) != null);
        awaitListening(mirrorPort);

        HttpResponse<String> response = get(mirrorPort, "/version");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from east");
    }

    @Test
    void aTrafficSplitSendsSomeRequestsWestAndSomeEast() throws Exception {
        assumeTrue(hostAddress != null, "no non-loopback IPv4 address on this machine for west's local backend");
        TrafficSplit split = new TrafficSplit();
        split.setMetadata(new ObjectMetaBuilder().withNamespace("test").withName("podinfo").build());
        split.setSpec(new TrafficSplitSpec("podinfo-split", List.of(new TrafficSplitSpec.Backend("podinfo", new IntOrString(50)),
                new TrafficSplitSpec.Backend("podinfo-east", new IntOrString(50)))));
        client.resources(TrafficSplit.class).resource(split).create();
        tables.await("the split's route", t -> t.outbound(apexPort) != null);
        awaitListening(apexPort);

        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 30 && answers.size() < 2; i++) {
            HttpResponse<String> response = get(apexPort, "/");
            assertThat(response.statusCode()).isEqualTo(200);
            answers.add(response.body());
        }

        assertThat(answers).containsExactlyInAnyOrder("hello from west", "hello from east");
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void awaitListening(int port) throws InterruptedException {
        Awaitility.await("west listens on " + port).atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> west.outboundPorts().contains(port));
    }

    static Gateway gateway(CertificateAuthority issuer, TrustAnchors anchors, SpiffeId identity) throws InterruptedException {
        GatewayConfig config = GatewayConfig.builder()
                .inbound("127.0.0.1", 0)
                .admin("127.0.0.1", 0)
                .outboundHost("127.0.0.1")
                .identity(identity)
                .ioThreads(1)
                .drainTimeout(Duration.ofSeconds(1))
                .build();
        Gateway gateway = new Gateway(config, identity.equals(EAST_ID) ? eastRegistry : westRegistry, Clock.systemUTC());
        KeyPair keys = Keys.generateP256();
        IssuedCertificate leaf = new LeafIssuer(issuer, Duration.ofHours(24), Duration.ZERO, Clock.systemUTC())
                .issue(keys.getPublic(), identity);
        gateway.tls().update(new CertifiedKey(keys.getPrivate(), leaf.chain()), anchors);
        gateway.start();
        return gateway;
    }

    static HttpServer backend(String answer) throws IOException {
        // Every address: the split's local backend is reached on this machine's non-loopback address.
        HttpServer server = HttpServer.create(new InetSocketAddress(0), 0);
        server.createContext("/", exchange -> {
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** An IPv4 address of this machine that an EndpointSlice may hold: not loopback, not link-local. */
    static String hostAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address.getHostAddress();
                }
            }
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
