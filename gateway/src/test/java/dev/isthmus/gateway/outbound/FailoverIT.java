package dev.isthmus.gateway.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.client.CertifiedKey;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Failover driven by the real gateway probe: east's gateway stops, west's probe sees the link die and the
 * split's remote share moves to the local backend; east comes back on the same address, the probe sees
 * it alive, and the share returns.
 */
class FailoverIT {

    static final SpiffeId EAST_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId WEST_ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");
    static final String SERVICE = "podinfo.test.svc.cluster.local";
    static final ProbeSettings FAST_PROBES = new ProbeSettings(Duration.ofMillis(100), Duration.ofMillis(500), 2, 0.1, "/ready");

    @Test
    void aStoppedRemoteGatewayLosesItsShareWithinTheProbeWindowAndGetsItBack() throws Exception {
        TestPki pki = TestPki.create();
        TrustAnchors anchors = pki.anchors();
        CertificateAuthority eastIssuer = pki.newIssuer();
        CertificateAuthority westIssuer = pki.newIssuer();
        try (TestBackend eastBackend = new TestBackend(BackendProtocol.HTTP1);
                TestBackend westBackend = new TestBackend(BackendProtocol.HTTP1)) {
            // Picked once the backends listen: picked before, a port freed here could go to a backend next, and the
            // client then reached east's backend straight (all 200 requests "to east", seen once in CI).
            int[] ports = CrossClusterIT.freePorts(2);
            int eastPort = ports[0];
            int splitPort = ports[1];
            RouteTable eastRoutes = new RouteTable("cluster.local", List.of(new ExportedService(SERVICE, 9898,
                    BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", eastBackend.port(), true)))));
            RouteTable westRoutes = new RouteTable("cluster.local", List.of(), List.of(new OutboundRoute(splitPort, "podinfo",
                    List.of(new WeightedBackend(new ExportedService(SERVICE, 9898, BackendProtocol.HTTP1,
                                    List.of(new Endpoint("127.0.0.1", westBackend.port(), true))), 50),
                            new WeightedBackend(new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", eastPort, true)),
                                    EAST_ID, SERVICE, 9898), 50)))));

            Gateway east = gateway(EAST_ID, eastIssuer, anchors, eastPort, eastRoutes);
            try (Gateway west = gateway(WEST_ID, westIssuer, anchors, 0, westRoutes);
                    PlainHttpClient client = new PlainHttpClient(splitPort)) {
                await(() -> west.probes().status("east").map(s -> s.probed() && s.alive()).orElse(false), "east probed alive");
                assertThat(eastShare(client, eastBackend, westBackend, 200)).as("both sides take traffic").isBetween(60, 140);

                east.close();
                await(() -> !west.probes().alive("east"), "east marked dead by the probe");
                assertThat(eastShare(client, eastBackend, westBackend, 100)).as("everything stays in west").isZero();

                east = gateway(EAST_ID, eastIssuer, anchors, eastPort, eastRoutes);
                await(() -> west.probes().alive("east"), "east alive again");
                assertThat(eastShare(client, eastBackend, westBackend, 200)).as("east takes its share again").isBetween(60, 140);
            } finally {
                east.close();
            }
        }
    }

    /** Sends {@code requests} requests, all of which must succeed, and counts how many reached east. */
    private static int eastShare(PlainHttpClient client, TestBackend east, TestBackend west, int requests) throws Exception {
        east.seen.clear();
        west.seen.clear();
        for (int i = 0; i < requests; i++) {
            assertThat(client.get("/").status()).isEqualTo(200);
        }
        assertThat(east.seen.size() + west.seen.size()).isEqualTo(requests);
        return east.seen.size();
    }

    private static Gateway gateway(SpiffeId identity, CertificateAuthority issuer, TrustAnchors anchors, int port, RouteTable routes)
            throws InterruptedException {
        return gateway(identity, issuer, anchors, port, routes, KeyExchange.DEFAULT);
    }

    /** A started gateway on loopback, probing every 100 ms, with a fresh leaf from {@code issuer}. */
    static Gateway gateway(SpiffeId identity, CertificateAuthority issuer, TrustAnchors anchors, int port, RouteTable routes,
            KeyExchange keyExchange) throws InterruptedException {
        GatewayConfig config = GatewayConfig.builder().identity(identity).inbound("127.0.0.1", port).admin("127.0.0.1", 0)
                .outboundHost("127.0.0.1").ioThreads(1).probe(FAST_PROBES).drainTimeout(Duration.ofMillis(500))
                .keyExchange(keyExchange).build();
        Gateway gateway = new Gateway(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC());
        KeyPair keys = Keys.generateP256();
        IssuedCertificate leaf = new LeafIssuer(issuer, Clock.systemUTC()).issue(keys.getPublic(), identity);
        gateway.tls().update(new CertifiedKey(keys.getPrivate(), leaf.chain()), anchors);
        gateway.routes(routes);
        return gateway.start();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }
}
