package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * West's prober against real east gateways on loopback, over real mTLS: alive while east answers, dead
 * after the threshold once it is gone, alive again when it is back, and dead when anything but exactly
 * east's identity answers.
 */
class GatewayProbeIT {

    static final ProbeSettings FAST = new ProbeSettings(Duration.ofMillis(100), Duration.ofMillis(1000), 3, 0.1, "/ready");
    static final SpiffeId WEST = TestPki.PEER;

    static TestPki pki;
    static EventLoopGroup westLoops;
    static int closedPort;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LinkProbes probes;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        westLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()); // stands in for west's worker loops
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // closed again at once: connections to it are refused
        }
    }

    @AfterAll
    static void stop() {
        westLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeProbes() {
        if (probes != null) {
            probes.close();
        }
    }

    static GatewayHarness east(int port) throws InterruptedException {
        return new GatewayHarness(pki, RouteTable.EMPTY, b -> b.inbound("127.0.0.1", port));
    }

    static RouteTable westRoutes(SpiffeId eastIdentity, int... eastPorts) {
        List<Endpoint> gateways = java.util.Arrays.stream(eastPorts).mapToObj(p -> new Endpoint("127.0.0.1", p, true)).toList();
        return new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(4200, "podinfo-east",
                new RemoteTarget("east", gateways, eastIdentity, "podinfo.test.svc.cluster.local", 9898))));
    }

    LinkProbes probesAs(SpiffeId self, ProbeSettings settings) {
        CertifiedKey credentials = pki.leaf(self);
        probes = new LinkProbes(westLoops, new PeerGatewayConnector(ClientContexts.current(() -> credentials, pki::anchors,
                TlsProviders.preferred(), Clock.systemUTC()), Duration.ofSeconds(3), Duration.ofSeconds(10)), settings, registry,
                Clock.systemUTC());
        return probes;
    }

    LinkStatus east() {
        return probes.status("east").orElseThrow();
    }

    double gauge() {
        Gauge gauge = registry.find(ProbeMetrics.ALIVE).tag("link", "east").gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    double probesCounted(String result) {
        Counter counter = registry.find(ProbeMetrics.PROBES).tags("link", "east", "result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Waits, bounded, for what the probes will make true within a few periods. */
    static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void aLinkIsAliveWhileItsGatewayAnswersDeadOnceItIsGoneAndAliveWhenItIsBack() throws Exception {
        List<LinkStatus> transitions = new CopyOnWriteArrayList<>();
        GatewayHarness east = east(0);
        int port = east.port();
        try {
            probesAs(WEST, FAST).onTransition(transitions::add);
            probes.follow(westRoutes(TestPki.GATEWAY, port));

            await("east probed, two successes counted", () -> east().probed() && probesCounted("success") >= 2);
            assertThat(east().alive()).isTrue();
            assertThat(east().lastLatency()).isPositive();
            assertThat(probes.alive("east")).isTrue();
            assertThat(gauge()).isEqualTo(1);
            Timer latency = registry.find(ProbeMetrics.LATENCY).tag("link", "east").timer();
            assertThat(latency.count()).isGreaterThanOrEqualTo(2);
        } finally {
            east.close();
        }

        await("east dead and a transition heard", () -> !probes.alive("east") && !transitions.isEmpty());
        assertThat(east().consecutiveFailures()).isGreaterThanOrEqualTo(FAST.failureThreshold());
        assertThat(east().lastError()).startsWith("127.0.0.1:" + port + ": ");
        assertThat(gauge()).isZero();
        await("twice the failure threshold in a row", () -> east().consecutiveFailures() >= 2 * FAST.failureThreshold());
        assertThat(transitions).as("one transition, however many failures").singleElement()
                .satisfies(status -> assertThat(status.alive()).isFalse());

        try (GatewayHarness again = east(port)) {
            await("east alive", () -> probes.alive("east"));
            assertThat(gauge()).isEqualTo(1);
            assertThat(east().consecutiveFailures()).isZero();
            await("listeners hear of it right after the status changed", () -> transitions.size() >= 2);
            assertThat(transitions).hasSize(2);
            assertThat(transitions.get(1).alive()).isTrue();
        }
    }

    @Test
    void aGatewayWithAnotherIdentityFromTheSameAnchorIsDeadAndTheErrorSaysWhy() throws Exception {
        SpiffeId expected = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-east");
        try (GatewayHarness impostor = east(0)) {
            probesAs(WEST, FAST).follow(westRoutes(expected, impostor.port()));

            await("east dead", () -> !probes.alive("east"));
            assertThat(east().lastError()).contains("certificate was refused")
                    .contains("peer identity " + TestPki.GATEWAY + " is not accepted (expected: " + expected + ")");
            assertThat(probesCounted("success")).isZero();
            assertThat(impostor.count("isthmus.gateway.requests", "target", "probe.isthmus.gateway:4191")).isZero();
        }
    }

    @Test
    void aProberThePolicyShutsOutSeesTheLinkDead() throws Exception {
        SpiffeId onlyThis = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/somebody-else");
        try (GatewayHarness strict = new GatewayHarness(pki, RouteTable.EMPTY,
                b -> b.policy(new AuthorizationPolicy("cluster.local", Set.of(onlyThis), Set.of(), Set.of())))) {
            probesAs(WEST, FAST).follow(westRoutes(TestPki.GATEWAY, strict.port()));

            await("east dead", () -> !probes.alive("east"));
            assertThat(east().lastError()).contains("closed before an answer");
            assertThat(strict.count("isthmus.gateway.sessions.rejected", "reason", "unauthorized")).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aPathTheGatewayDoesNotAnswerFailsTheProbeWithTheAnswer() throws Exception {
        try (GatewayHarness east = east(0)) {
            probesAs(WEST, new ProbeSettings(FAST.period(), FAST.timeout(), 1, 0.1, "/health")).follow(westRoutes(TestPki.GATEWAY, east.port()));

            await("east dead", () -> !probes.alive("east"));
            assertThat(east().lastError()).contains("answered 404 Not Found: GET /health is not a probe");
        }
    }

    @Test
    void aGatewayThatNeverAnswersTimesTheProbeOut() throws Exception {
        // The kernel completes the TCP handshake for the backlog; nobody ever speaks TLS.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            probesAs(WEST, new ProbeSettings(FAST.period(), Duration.ofMillis(200), 1, 0.1, "/ready"))
                    .follow(westRoutes(TestPki.GATEWAY, silent.getLocalPort()));

            await("east dead", () -> !probes.alive("east"));
            assertThat(east().lastError()).isEqualTo("127.0.0.1:" + silent.getLocalPort() + ": no answer within 200 ms");
        }
    }

    @Test
    void addressesAreTriedInTurnWithinOneProbe() throws Exception {
        try (GatewayHarness east = east(0)) {
            probesAs(WEST, new ProbeSettings(FAST.period(), FAST.timeout(), 1, 0.1, "/ready"))
                    .follow(westRoutes(TestPki.GATEWAY, closedPort, east.port()));

            await("three successes counted", () -> probesCounted("success") >= 3);
            assertThat(probesCounted("failure")).isZero();
            assertThat(probes.alive("east")).isTrue();
        }
    }

    @Test
    void removedLinksStopBeingProbedAndLoseTheirMeters() throws Exception {
        try (GatewayHarness east = east(0)) {
            probesAs(WEST, FAST).follow(westRoutes(TestPki.GATEWAY, east.port()));
            await("a success counted", () -> probesCounted("success") >= 1);

            probes.follow(RouteTable.EMPTY);

            assertThat(probes.statuses()).isEmpty();
            assertThat(probes.alive("east")).as("a link nobody probes counts as alive").isTrue();
            assertThat(Stream.of(ProbeMetrics.ALIVE, ProbeMetrics.LATENCY, ProbeMetrics.PROBES)
                    .flatMap(name -> registry.find(name).meters().stream())).isEmpty();
            double requests = east.count("isthmus.gateway.requests", "target", "probe.isthmus.gateway:4191", "status_class", "2xx",
                    "peer", WEST.toString());
            Thread.sleep(5 * FAST.period().toMillis()); // what is checked is that nothing more happens
            assertThat(east.count("isthmus.gateway.requests", "target", "probe.isthmus.gateway:4191", "status_class", "2xx",
                    "peer", WEST.toString())).isEqualTo(requests);
        }
    }
}
