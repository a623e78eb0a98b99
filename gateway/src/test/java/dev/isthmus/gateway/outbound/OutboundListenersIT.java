package dev.isthmus.gateway.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.identity.testing.TestPki;
import io.micrometer.core.instrument.Gauge;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Outbound routes whose port another process holds: the others are served, and theirs once the port is free. */
class OutboundListenersIT {

    static final String UNBOUND = "isthmus.gateway.outbound.listeners.unbound";

    @Test
    void aRouteWhosePortIsTakenIsCountedAndListensOnceThePortIsFree() throws Exception {
        TestPki pki = TestPki.create();
        try (TestBackend backend = new TestBackend(BackendProtocol.HTTP1);
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int takenPort = taken.getLocalPort();
            int freePort = free.getLocalPort();
            free.close();
            ExportedService service = new ExportedService("h1.test.svc.cluster.local", 80, BackendProtocol.HTTP1,
                    List.of(new Endpoint("127.0.0.1", backend.port(), true)));
            RouteTable routes = new RouteTable("cluster.local", List.of(service), List.of(
                    new OutboundRoute(takenPort, "blocked", List.of(new WeightedBackend(service, 1))),
                    new OutboundRoute(freePort, "served", List.of(new WeightedBackend(service, 1)))));

            try (GatewayHarness gateway = new GatewayHarness(pki, routes, b -> b.outboundHost("127.0.0.1"))) {
                assertThat(gateway.gateway().outboundPorts()).containsExactly(freePort);
                assertThat(unbound(gateway)).isEqualTo(1);
                try (PlainHttpClient client = new PlainHttpClient(freePort)) {
                    assertThat(client.get("/other").status()).as("the other route is served meanwhile").isEqualTo(200);
                }

                taken.close();
                Awaitility.await("the freed port is listened on").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> gateway.gateway().outboundPorts().contains(takenPort));
                assertThat(unbound(gateway)).isZero();
                try (PlainHttpClient client = new PlainHttpClient(takenPort)) {
                    assertThat(client.get("/freed").status()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void aTakenPortWhoseRouteLeavesIsNoLongerCountedOrTried() throws Exception {
        TestPki pki = TestPki.create();
        try (TestBackend backend = new TestBackend(BackendProtocol.HTTP1);
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ExportedService service = new ExportedService("h1.test.svc.cluster.local", 80, BackendProtocol.HTTP1,
                    List.of(new Endpoint("127.0.0.1", backend.port(), true)));
            RouteTable routes = new RouteTable("cluster.local", List.of(service), List.of(
                    new OutboundRoute(taken.getLocalPort(), "blocked", List.of(new WeightedBackend(service, 1)))));

            try (GatewayHarness gateway = new GatewayHarness(pki, routes, b -> b.outboundHost("127.0.0.1"))) {
                assertThat(unbound(gateway)).isEqualTo(1);

                gateway.gateway().routes(new RouteTable("cluster.local", List.of(service), List.of()));
                assertThat(unbound(gateway)).isZero();
                taken.close();
                Thread.sleep(6_000); // past one retry interval: nothing may bind the port of a route that left
                assertThat(gateway.gateway().outboundPorts()).isEmpty();
            }
        }
    }

    static double unbound(GatewayHarness gateway) {
        Gauge gauge = gateway.registry().find(UNBOUND).gauge();
        assertThat(gauge).as(UNBOUND + " is registered").isNotNull();
        return gauge.value();
    }
}
