package dev.isthmus.mirror.routes;

import static dev.isthmus.mirror.routes.KubeObjects.exported;
import static dev.isthmus.mirror.routes.KubeObjects.link;
import static dev.isthmus.mirror.routes.KubeObjects.mirrored;
import static dev.isthmus.mirror.routes.KubeObjects.port;
import static dev.isthmus.mirror.routes.KubeObjects.service;
import static dev.isthmus.mirror.routes.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkStatus;
import dev.isthmus.mirror.routes.KubeObjects.Ep;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The route source against a real kube-apiserver: objects created through the API become the gateway's
 * route table, and changes follow. No controller-manager runs, so the tests write EndpointSlices themselves.
 * Each test works in a namespace of its own, so they do not depend on each other's objects.
 */
@Timeout(120)
class KubernetesRouteSourceIT {

    static final SpiffeId EAST_ID = SpiffeId.parse(KubeObjects.EAST_IDENTITY);

    static KubeApiServer api;
    static KubernetesClient client;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static KubernetesRouteSource source;
    static ClusterFixture.Tables tables = new ClusterFixture.Tables();

    @BeforeAll
    static void start() throws InterruptedException {
        KubeApiServer.assumeAvailable();
        api = KubeApiServer.start("west");
        client = api.client();
        ClusterFixture.prepare(client, "inbound", "outbound", "follow", "burst", "hostile");
        source = new KubernetesRouteSource(client, "cluster.local", ExportSelector.parse("mirror.isthmus.dev/exported=true"),
                registry, KubernetesRouteSource.DEBOUNCE);
        source.start(tables);
        tables.await("the first table", table -> true);
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void anExportedServiceAndItsSlicesAreInboundEntriesByPortName() throws InterruptedException {
        client.services().resource(exported("inbound", "web", port("http", 80, null), port("grpc", 9090, "kubernetes.io/h2c"))).create();
        client.services().resource(service("inbound", "private", List.of(port("http", 80, null)), Map.of(), Map.of())).create();
        client.discovery().v1().endpointSlices().resource(slice("inbound", "web-1", "web", ports("http", 8080, "grpc", 9091),
                new Ep("10.1.0.1", true), new Ep("10.1.0.2", false))).create();
        client.discovery().v1().endpointSlices().resource(slice("inbound", "web-2", "web", ports("http", 8080, "other", 1234),
                new Ep("10.1.0.3", null))).create();

        RouteTable table = tables.await("web's two ports and three endpoints", t -> t.exported("web.inbound.svc.cluster.local", 80) != null
                && t.exported("web.inbound.svc.cluster.local", 80).endpoints().size() == 3
                && t.exported("web.inbound.svc.cluster.local", 9090) != null
                && t.exported("web.inbound.svc.cluster.local", 9090).endpoints().size() == 2);

        assertThat(table.exported("web.inbound.svc.cluster.local", 80)).isEqualTo(new ExportedService("web.inbound.svc.cluster.local", 80,
                BackendProtocol.HTTP1, List.of(new Endpoint("10.1.0.1", 8080, true), new Endpoint("10.1.0.2", 8080, false),
                        new Endpoint("10.1.0.3", 8080, true))));
        assertThat(table.exported("web.inbound.svc.cluster.local", 9090)).isEqualTo(new ExportedService("web.inbound.svc.cluster.local",
                9090, BackendProtocol.H2C, List.of(new Endpoint("10.1.0.1", 9091, true), new Endpoint("10.1.0.2", 9091, false))));
        assertThat(table.exported("private.inbound.svc.cluster.local", 80)).as("not exported").isNull();

        // A pod turns ready: the table follows.
        var slice = client.discovery().v1().endpointSlices().inNamespace("inbound").withName("web-1").get();
        slice.getEndpoints().get(1).getConditions().setReady(true);
        client.discovery().v1().endpointSlices().resource(slice).update();
        tables.await("10.1.0.2 ready", t -> t.exported("web.inbound.svc.cluster.local", 80).readyEndpoints().size() == 3);
    }

    @Test
    void aMirroredServiceAndItsLinkAreAnOutboundRoute() throws InterruptedException {
        createLink("east", "198.51.100.7", List.of("203.0.113.7"), 4143);
        client.services().resource(mirrored("outbound", "podinfo-east", "east", "9898=14500", port("http", 9898, null))).create();

        RouteTable table = tables.await("the route on 14500", t -> t.outbound(14500) != null);

        assertThat(table.outbound(14500)).isEqualTo(OutboundRoute.mirror(14500, "podinfo-east.outbound.svc.cluster.local:9898",
                new RemoteTarget("east", List.of(new Endpoint("203.0.113.7", 4143, true)), EAST_ID, "podinfo.outbound.svc.cluster.local",
                        9898)));
    }

    @Test
    void theRoutesFollowTheLinksGatewayAddresses() throws InterruptedException {
        createLink("north", "198.51.100.9", List.of(), 4143);
        client.services().resource(mirrored("follow", "api-north", "north", "8080=14600", port("http", 8080, null))).create();
        tables.await("the spec's address while the status has none", t -> gateways(t, 14600).equals(List.of("198.51.100.9:4143")));

        setStatusAddresses("north", List.of("203.0.113.20", "203.0.113.21"));
        tables.await("the status's addresses", t -> gateways(t, 14600).equals(List.of("203.0.113.20:4143", "203.0.113.21:4143")));

        setStatusAddresses("north", List.of("203.0.113.22"));
        tables.await("the new address", t -> gateways(t, 14600).equals(List.of("203.0.113.22:4143")));

        client.resources(Link.class).inNamespace(Names.MULTICLUSTER_NAMESPACE).withName("north").delete();
        tables.await("no route without the Link", t -> t.outbound(14600) == null);
        assertThat(source.skipped()).extracting(RouteMapping.Skipped::object).contains("Service follow/api-north");
    }

    @Test
    void aBurstOfChangesIsOneTableAndNoChangeIsNoTable() throws InterruptedException {
        int before = tables.count();
        for (int i = 0; i < 15; i++) {
            client.services().resource(exported("burst", "svc-" + i, port("http", 80, null))).create();
        }
        tables.await("all fifteen", t -> t.exported("svc-14.burst.svc.cluster.local", 80) != null);
        Thread.sleep(300); // lets any straggling rebuild of the burst arrive, so it is counted
        int burst = tables.count() - before;
        assertThat(burst).as("tables for 15 creations within a few debounce periods").isBetween(1, 5);

        // Labels the table does not read: an event, a rebuild, the same table, nothing delivered.
        int now = tables.count();
        Service unrelated = client.services().inNamespace("burst").withName("svc-0").get();
        unrelated.getMetadata().getLabels().put("team", "payments");
        client.services().resource(unrelated).update();
        Thread.sleep(3 * KubernetesRouteSource.DEBOUNCE.toMillis() + 200); // proves that nothing comes: time must pass
        assertThat(tables.count()).isEqualTo(now);
    }

    @Test
    void aServiceWithABadAnnotationIsLeftOutAndCountedNotTheTable() throws InterruptedException {
        createLink("south", "198.51.100.10", List.of(), 4143);
        client.services().resource(mirrored("hostile", "bad-south", "south", "9898=not-a-port", port("http", 9898, null))).create();
        client.services().resource(mirrored("hostile", "good-south", "south", "9898=14700", port("http", 9898, null))).create();
        client.services().resource(service("hostile", "weird", List.of(port("http", 80, null)), Map.of(Names.EXPORTED_LABEL, "true"),
                Map.of(Names.PROTOCOL_ANNOTATION, "carrier-pigeon"))).create();

        RouteTable table = tables.await("the good mirror", t -> t.outbound(14700) != null);

        assertThat(table.exported("weird.hostile.svc.cluster.local", 80)).isNull();
        Awaitility.await("both hostile Services skipped").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(source.skipped()).extracting(RouteMapping.Skipped::object)
                        .contains("Service hostile/bad-south", "Service hostile/weird"));
        assertThat(registry.find("isthmus.routes.kubernetes.skipped").tag("kind", "outbound").counter().count()).isPositive();
        assertThat(registry.find("isthmus.routes.kubernetes.skipped").tag("kind", "inbound").counter().count()).isPositive();
    }

    static void createLink(String name, String address, List<String> statusAddresses, int port) {
        Link link = link(name, address, null, port, KubeObjects.EAST_IDENTITY);
        client.resources(Link.class).resource(link).create();
        if (!statusAddresses.isEmpty()) {
            setStatusAddresses(name, statusAddresses);
        }
    }

    static void setStatusAddresses(String name, List<String> addresses) {
        Link link = client.resources(Link.class).inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(name).get();
        LinkStatus status = link.getStatus() == null ? new LinkStatus() : link.getStatus();
        status.gatewayAddresses = new ArrayList<>(addresses);
        link.setStatus(status);
        client.resources(Link.class).resource(link).updateStatus();
    }

    static List<String> gateways(RouteTable table, int port) {
        OutboundRoute route = table.outbound(port);
        if (route == null) {
            return List.of();
        }
        return ((RemoteTarget) route.backends().get(0).backend()).gateways().stream().map(Endpoint::toString).toList();
    }

    static Map<String, Integer> ports(Object... nameThenPort) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < nameThenPort.length; i += 2) {
            ports.put((String) nameThenPort[i], (Integer) nameThenPort[i + 1]);
        }
        return ports;
    }
}
