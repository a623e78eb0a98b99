package dev.isthmus.gateway.outbound;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.probe.LinkStatus;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.EchoServer;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.client.CertifiedKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-cluster path on loopback: a WEST and an EAST gateway in one JVM, each with its own issuer
 * under one trust anchor and, as {@code multicluster install} makes them, the same SPIFFE identity and
 * each its own installation id. Unmodified clients call west's outbound listeners; west carries them
 * over mTLS to east, which forwards to its exported backends.
 */
class CrossClusterIT {

    static final SpiffeId EAST_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    /** The same identity as east's: every cluster's gateway is the ServiceAccount isthmus-gateway of isthmus-multicluster. */
    static final SpiffeId WEST_ID = EAST_ID;
    static final GatewayId EAST_INSTALLATION = GatewayId.derivedFrom("cluster.local", "isthmus-multicluster", "east-kube-system-uid");
    static final GatewayId WEST_INSTALLATION = GatewayId.derivedFrom("cluster.local", "isthmus-multicluster", "west-kube-system-uid");
    /** Valid under the same anchor, but not who east is: what an impostor route expects. */
    static final SpiffeId NORTH_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-north");

    static final String H1 = "h1.test.svc.cluster.local";
    static final String MANY = "many.test.svc.cluster.local";
    static final String H2C = "h2c.test.svc.cluster.local";
    static final String ECHO = "echo.test.svc.cluster.local";
    static final String SPLIT = "split.test.svc.cluster.local";
    static final String UPLOAD = "upload.test.svc.cluster.local";
    static final String LOCAL = "podinfo.test.svc.cluster.local";
    /** Exported by east, and served by west's outbound listener of the route to it: a real loop. */
    static final String LOOP = "loop.test.svc.cluster.local";

    static TestBackend eastHttp1;
    static TestBackend eastH2c;
    static TestBackend eastSplit;
    static TestBackend eastUploads;
    static EchoServer eastEcho;
    static TestBackend westLocal;
    static TestBackend westFailoverLocal;
    static Cluster east;
    static Cluster west;
    static LinkHealthDouble links = new LinkHealthDouble();
    static int closedPort;
    static int h1Port, h2Port, tcpPort, manyPort, impostorPort, downPort, splitPort, failoverPort, uploadPort, newPort, loopPort;

    /** One cluster's gateway, with its own registry and a certificate from its own issuer. */
    static final class Cluster implements AutoCloseable {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final Gateway gateway;

        Cluster(CertificateAuthority issuer, TrustAnchors anchors, SpiffeId identity, GatewayId id, RouteTable routes)
                throws InterruptedException {
            GatewayConfig config = GatewayConfig.builder()
                    .inbound("127.0.0.1", 0)
                    .admin("127.0.0.1", 0)
                    .outboundHost("127.0.0.1")
                    .identity(identity)
                    .id(id)
                    .ioThreads(2)
                    .connectTimeout(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(20))
                    .drainTimeout(Duration.ofSeconds(1))
                    // Failover here is driven by a LinkHealth test double; the probes' own connections to east
                    // would otherwise show up in its connection counts every few seconds.
                    .probe(new ProbeSettings(Duration.ofHours(1), Duration.ofSeconds(2), 3, 0.1, "/ready"))
                    .build();
            gateway = new Gateway(config, registry, Clock.systemUTC());
            KeyPair keys = Keys.generateP256();
            IssuedCertificate leaf = new LeafIssuer(issuer, Duration.ofHours(24), Duration.ZERO, Clock.systemUTC())
                    .issue(keys.getPublic(), identity);
            gateway.tls().update(new CertifiedKey(keys.getPrivate(), leaf.chain()), anchors);
            gateway.routes(routes);
            gateway.start();
        }

        double count(String name, String... tags) {
            Counter counter = registry.find(name).tags(tags).counter();
            return counter == null ? 0 : counter.count();
        }

        @Override
        public void close() {
            gateway.close();
            registry.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create();
        TrustAnchors anchors = pki.anchors();
        eastHttp1 = new TestBackend(BackendProtocol.HTTP1);
        eastH2c = new TestBackend(BackendProtocol.H2C);
        eastSplit = new TestBackend(BackendProtocol.HTTP1);
        eastUploads = new TestBackend(BackendProtocol.HTTP1);
        eastEcho = new EchoServer();
        westLocal = new TestBackend(BackendProtocol.HTTP1);
        westFailoverLocal = new TestBackend(BackendProtocol.HTTP1);
        int[] ports = freePorts(12);
        closedPort = ports[0];
        h1Port = ports[1];
        h2Port = ports[2];
        tcpPort = ports[3];
        manyPort = ports[4];
        impostorPort = ports[5];
        downPort = ports[6];
        splitPort = ports[7];
        failoverPort = ports[8];
        uploadPort = ports[9];
        newPort = ports[10];
        loopPort = ports[11];
        east = new Cluster(pki.newIssuer(), anchors, EAST_ID, EAST_INSTALLATION,
                new RouteTable("cluster.local",
                List.of(exported(H1, 80, BackendProtocol.HTTP1, eastHttp1.port()),
                        exported(MANY, 80, BackendProtocol.HTTP1, eastHttp1.port()),
                        exported(H2C, 80, BackendProtocol.H2C, eastH2c.port()),
                        exported(ECHO, 7, BackendProtocol.OPAQUE, eastEcho.port()),
                        exported(SPLIT, 80, BackendProtocol.HTTP1, eastSplit.port()),
                        exported(UPLOAD, 80, BackendProtocol.HTTP1, eastUploads.port()),
                        exported(LOOP, 80, BackendProtocol.HTTP1, loopPort))));
        west = new Cluster(pki.newIssuer(), anchors, WEST_ID, WEST_INSTALLATION,
                westRoutes());
        west.gateway.linkHealth(links);
        // The one probe each link gets at the start must be over before any test counts east's connections.
        Awaitility.await("every link probed once").atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> west.gateway.probes().statuses().values().stream().allMatch(LinkStatus::probed));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable part : new AutoCloseable[] {west, east, eastHttp1, eastH2c, eastSplit, eastUploads, eastEcho, westLocal,
                westFailoverLocal}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    static RouteTable westRoutes() {
        return new RouteTable("cluster.local", List.of(), List.of(
                OutboundRoute.mirror(h1Port, "h1-east", remote("east", H1, 80, EAST_ID, east.gateway.inboundPort())),
                OutboundRoute.mirror(h2Port, "h2c-east", remote("east", H2C, 80, EAST_ID, east.gateway.inboundPort())),
                OutboundRoute.mirror(tcpPort, "echo-east", remote("east", ECHO, 7, EAST_ID, east.gateway.inboundPort())),
                OutboundRoute.mirror(manyPort, "many-east", remote("east", MANY, 80, EAST_ID, east.gateway.inboundPort())),
                OutboundRoute.mirror(impostorPort, "impostor", remote("north", H1, 80, NORTH_ID, east.gateway.inboundPort())),
                OutboundRoute.mirror(downPort, "down", remote("gone", H1, 80, EAST_ID, closedPort)),
                new OutboundRoute(splitPort, "split", List.of(
                        new WeightedBackend(exported(LOCAL, 80, BackendProtocol.HTTP1, westLocal.port()), 50),
                        new WeightedBackend(remote("east", SPLIT, 80, EAST_ID, east.gateway.inboundPort()), 50))),
                new OutboundRoute(failoverPort, "failover", List.of(
                        new WeightedBackend(exported(LOCAL, 80, BackendProtocol.HTTP1, westFailoverLocal.port()), 50),
                        new WeightedBackend(remote("east-b", SPLIT, 80, EAST_ID, east.gateway.inboundPort()), 50))),
                OutboundRoute.mirror(uploadPort, "upload-east", remote("east", UPLOAD, 80, EAST_ID, east.gateway.inboundPort())),
                OutboundRoute.mirror(loopPort, "loop-east", remote("east", LOOP, 80, EAST_ID, east.gateway.inboundPort()))));
    }

    static ExportedService exported(String name, int port, BackendProtocol protocol, int backendPort) {
        return new ExportedService(name, port, protocol, List.of(new Endpoint("127.0.0.1", backendPort, true)));
    }

    static RemoteTarget remote(String link, String service, int port, SpiffeId identity, int gatewayPort) {
        return new RemoteTarget(link, List.of(new Endpoint("127.0.0.1", gatewayPort, true)), identity, service, port);
    }

    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close(); // closed again at once: the gateway binds them, or (the first) nothing listens there
            }
        }
    }

    static TestBackend.Seen lastSeen(TestBackend backend) throws InterruptedException {
        TestBackend.Seen seen = backend.seen.poll(10, TimeUnit.SECONDS);
        assertThat(seen).as("the backend saw the request").isNotNull();
        for (TestBackend.Seen later; (later = backend.seen.poll()) != null; ) {
            seen = later;
        }
        return seen;
    }

    @Test
    void anHttp1ClientReachesEastAndTheBackendSeesBothGateways() throws Exception {
        eastHttp1.seen.clear();
        String[] counted = {"route", "h1-east", "status_class", "2xx", "backend", "east"};
        double before = west.count("isthmus.gateway.outbound.requests", counted);
        try (PlainHttpClient client = new PlainHttpClient(h1Port)) {
            PlainHttpClient.Reply reply = client.get("/hello");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("hello from HTTP1");
            assertThat(client.get("/again").status()).as("the same keep-alive connection serves the next request").isEqualTo(200);
        }
        TestBackend.Seen seen = lastSeen(eastHttp1);
        assertThat(seen.headers().get("host")).isEqualTo(H1 + ":80");
        String forwarded = String.join(", ", seen.headers().getAll("forwarded"));
        // West's element names west's installation and the client; east's names east's installation, and west's
        // identity as the authenticated peer. Both gateways have the same identity, and neither took the other's
        // element for a loop.
        assertThat(forwarded)
                .contains("by=" + WEST_INSTALLATION + ";for=127.0.0.1;host=\"podinfo-east:9898\";proto=http")
                .contains("by=" + EAST_INSTALLATION + ";for=\"" + WEST_ID + "\"");
        assertThat(east.count("isthmus.gateway.sessions.rejected", "reason", "loop")).isZero();
        assertThat(west.count("isthmus.gateway.outbound.requests", counted) - before).isEqualTo(2);
    }

    @Test
    void anH2cClientReachesEast() throws Exception {
        try (H2cClient client = new H2cClient(h2Port)) {
            PlainHttpClient.Reply reply = client.get("/hello");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("hello from H2C");
        }
        assertThat(lastSeen(eastH2c).headers().getAll("forwarded"))
                .anyMatch(value -> value.startsWith("by=" + WEST_INSTALLATION + ";"))
                .anyMatch(value -> value.startsWith("by=" + EAST_INSTALLATION + ";"));
    }

    @Test
    void aTcpClientReachesEastThroughAnOpaqueTunnel() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("hello, east".getBytes(US_ASCII));
            assertThat(new String(socket.getInputStream().readNBytes(11), US_ASCII)).isEqualTo("hello, east");
            socket.shutdownOutput();
            assertThat(socket.getInputStream().read()).as("the echo's end of output comes back as the end of the stream").isEqualTo(-1);
        }
    }

    /**
     * West's route sends to east's LOOP, whose endpoint is that route's own listener in west: the request
     * comes back to west, which finds its own installation id in Forwarded and answers 508.
     */
    @Test
    void aRequestThatComesBackToTheSameGatewayIsRefusedWith508() throws Exception {
        double before = west.count("isthmus.gateway.sessions.rejected", "reason", "loop");
        try (PlainHttpClient client = new PlainHttpClient(loopPort)) {
            PlainHttpClient.Reply reply = client.get("/around");
            assertThat(reply.status()).isEqualTo(508);
        }
        assertThat(west.count("isthmus.gateway.sessions.rejected", "reason", "loop") - before).isEqualTo(1);
        assertThat(east.count("isthmus.gateway.sessions.rejected", "reason", "loop")).isZero();
    }

    @Test
    void aHundredKeepAliveClientsShareAFewGatewayConnections() throws Exception {
        double before = east.count("isthmus.gateway.connections");
        ExecutorService clients = Executors.newFixedThreadPool(100);
        try {
            List<Future<List<Integer>>> statuses = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                statuses.add(clients.submit(() -> {
                    List<Integer> codes = new ArrayList<>();
                    try (PlainHttpClient client = new PlainHttpClient(manyPort)) {
                        for (int request = 0; request < 3; request++) {
                            codes.add(client.get("/many/" + request).status());
                        }
                    }
                    return codes;
                }));
            }
            for (Future<List<Integer>> client : statuses) {
                assertThat(client.get(60, TimeUnit.SECONDS)).containsExactly(200, 200, 200);
            }
        } finally {
            clients.shutdownNow();
        }
        // One pooled connection per event loop of west (two here) carries every client's requests.
        assertThat(east.count("isthmus.gateway.connections") - before).isBetween(1.0, 2.0);
    }

    @Test
    void aPeerWithAnotherIdentityThanTheLinksIsRefusedAndCounted() throws Exception {
        try (PlainHttpClient client = new PlainHttpClient(impostorPort)) {
            PlainHttpClient.Reply reply = client.get("/secret");
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.error()).contains("is not who the link says")
                    .contains("peer identity " + EAST_ID + " is not accepted (expected: " + NORTH_ID + ")");
        }
        assertThat(west.count("isthmus.gateway.outbound.failures", "link", "north", "reason", "wrong_identity")).isEqualTo(1);

        RouteTable routes = west.gateway.routes();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), impostorPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("hello, north".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).as("an opaque client is closed").isEqualTo(-1);
        }
        assertThat(west.gateway.routes()).isSameAs(routes);
    }

    @Test
    void aRemoteGatewayThatIsDownGetsAFast503WithAReasonAndIsNotHammered() throws Exception {
        try (PlainHttpClient client = new PlainHttpClient(downPort)) {
            for (int i = 0; i < 5; i++) {
                PlainHttpClient.Reply reply = client.get("/");
                assertThat(reply.status()).isEqualTo(503);
                assertThat(reply.error()).contains("remote gateway 127.0.0.1:" + closedPort + " (link gone) refused the connection");
            }
        }
        double refused = west.count("isthmus.gateway.outbound.failures", "link", "gone", "reason", "refused");
        double waited = west.count("isthmus.gateway.outbound.failures", "link", "gone", "reason", "backing_off");
        assertThat(refused).isGreaterThanOrEqualTo(1);
        assertThat(refused + waited).isGreaterThanOrEqualTo(5);

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), downPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("hello, anyone?".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).as("an opaque client is closed").isEqualTo(-1);
        }
    }

    @Test
    void aFiftyFiftySplitLandsWithinFivePercent() throws Exception {
        westLocal.seen.clear();
        eastSplit.seen.clear();
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                done.add(clients.submit(() -> {
                    try (PlainHttpClient client = new PlainHttpClient(splitPort)) {
                        for (int i = 0; i < 100; i++) {
                            assertThat(client.get("/split").status()).isEqualTo(200);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(westLocal.seen.size() + eastSplit.seen.size()).isEqualTo(1000);
        assertThat(westLocal.seen.size()).isBetween(450, 550);
        assertThat(west.count("isthmus.gateway.outbound.requests", "route", "split", "status_class", "2xx", "backend", "local"))
                .isEqualTo(westLocal.seen.size());
        assertThat(west.count("isthmus.gateway.outbound.requests", "route", "split", "status_class", "2xx", "backend", "east"))
                .isEqualTo(eastSplit.seen.size());
    }

    @Test
    void aDeadLinksShareMovesToTheLocalBackendAndComesBack() throws Exception {
        try (PlainHttpClient client = new PlainHttpClient(failoverPort)) {
            links.markDead("east-b");
            westFailoverLocal.seen.clear();
            for (int i = 0; i < 100; i++) {
                assertThat(client.get("/failover").status()).isEqualTo(200);
            }
            assertThat(westFailoverLocal.seen.size()).as("with east-b dead, everything lands locally").isEqualTo(100);

            links.markAlive("east-b");
            westFailoverLocal.seen.clear();
            for (int i = 0; i < 200; i++) {
                assertThat(client.get("/failover").status()).isEqualTo(200);
            }
            assertThat(westFailoverLocal.seen.size()).as("east-b takes its share again").isBetween(60, 140);
        } finally {
            links.markAlive("east-b");
        }
    }

    @Test
    void aClientThatDisconnectsMidRequestResetsItsStream() throws Exception {
        try (PlainHttpClient client = new PlainHttpClient(uploadPort)) {
            client.send("POST /upload HTTP/1.1\r\nHost: podinfo-east:9898\r\nContent-Length: 10000000\r\n\r\n");
            client.send(new byte[64 * 1024]);
            assertThat(eastUploads.uploadStarted.await(10, TimeUnit.SECONDS)).as("the body streams to east").isTrue();
        }
        // West resets the stream; east sees the reset and gives up the backend connection in the middle of the body.
        assertThat(eastUploads.uploadAbandoned.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void listenersFollowTheRoutesWithoutDisturbingTheOthers() throws Exception {
        RouteTable original = west.gateway.routes();
        try (PlainHttpClient kept = new PlainHttpClient(h1Port)) {
            assertThat(kept.get("/before").body()).isEqualTo("hello from HTTP1");
            List<OutboundRoute> changed = new ArrayList<>();
            for (OutboundRoute route : original.outboundRoutes().values()) {
                if (route.port() == h1Port) {
                    changed.add(OutboundRoute.mirror(h1Port, "h1-east", remote("east", H2C, 80, EAST_ID, east.gateway.inboundPort())));
                } else if (route.port() != tcpPort) {
                    changed.add(route);
                }
            }
            changed.add(OutboundRoute.mirror(newPort, "echo-new", remote("east", ECHO, 7, EAST_ID, east.gateway.inboundPort())));
            west.gateway.routes(new RouteTable("cluster.local", List.of(), changed));

            assertThat(west.gateway.outboundPorts()).contains(newPort, h1Port).doesNotContain(tcpPort);
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), tcpPort).close()).isInstanceOf(ConnectException.class);
            assertThat(kept.get("/after").body()).as("the kept connection's next request follows the changed route")
                    .isEqualTo("hello from H2C");
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), newPort)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("hello, new".getBytes(US_ASCII));
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readNBytes(10), US_ASCII)).isEqualTo("hello, new");
            }
        } finally {
            west.gateway.routes(original);
        }
        assertThat(west.gateway.outboundPorts()).contains(tcpPort).doesNotContain(newPort);
    }
}
