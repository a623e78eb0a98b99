package dev.isthmus.mirror.split;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.routes.ClusterFixture;
import dev.isthmus.mirror.routes.ExportSelector;
import dev.isthmus.mirror.routes.KubernetesRouteSource;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The split controller and the route source together against a real kube-apiserver, as they run inside a
 * gateway: a TrafficSplit gets an apex Service and EndpointSlice, and becomes a weighted route.
 */
@Timeout(120)
class SplitControllerIT {

    static final String EAST_IDENTITY = "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway";

    static KubeApiServer api;
    static KubernetesClient client;
    static SplitController controller;
    static KubernetesRouteSource source;
    static ClusterFixture.Tables tables = new ClusterFixture.Tables();

    @BeforeAll
    static void start() throws InterruptedException {
        KubeApiServer.assumeAvailable();
        api = KubeApiServer.start("split");
        client = api.client();
        ClusterFixture.prepare(client, "test");

        // The local gateway: one ready pod, one not.
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(Names.MULTICLUSTER_NAMESPACE).withName("isthmus-gateway-abc")
                        .withLabels(Map.of(Names.SERVICE_NAME_LABEL, Names.GATEWAY)).build())
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.0.0.10").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.0.0.11").withNewConditions().withReady(false).endConditions().endEndpoint()
                .addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(4143).withProtocol("TCP").endPort()
                .build()).create();
        // A local backend with a selector and a pod, and a mirror of the remote one through Link east.
        client.services().resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("test").withName("podinfo").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "podinfo"))
                .addNewPort().withName("http").withPort(9898).withProtocol("TCP").endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace("test").withName("podinfo-xyz")
                        .withLabels(Map.of(Names.SERVICE_NAME_LABEL, "podinfo")).build())
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.0.1.5").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName("http").withPort(9898).withProtocol("TCP").endPort()
                .build()).create();
        Link east = new Link();
        east.setMetadata(new ObjectMetaBuilder().withNamespace(Names.MULTICLUSTER_NAMESPACE).withName("east").build());
        east.setSpec(new LinkSpec());
        east.getSpec().targetClusterName = "east";
        east.getSpec().clusterCredentialsSecret = "cluster-credentials-east";
        east.getSpec().gatewayAddress = "203.0.113.7";
        east.getSpec().gatewayIdentity = EAST_IDENTITY;
        client.resources(Link.class).resource(east).create();
        client.services().resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("test").withName("podinfo-east")
                .withLabels(Map.of(Names.MIRRORED_SERVICE_LABEL, "true", Names.CLUSTER_NAME_LABEL, "east"))
                .withAnnotations(Map.of(Names.GATEWAY_PORTS_ANNOTATION, "9898=14000",
                        Names.REMOTE_FQDN_ANNOTATION, "podinfo.test.svc.cluster.local")).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(9898).withProtocol("TCP")
                .withTargetPort(new IntOrString(14000)).endPort().endSpec().build()).create();

        controller = new SplitController(client, "gateway-0", PortRange.DEFAULT, Clock.systemUTC()).start();
        source = new KubernetesRouteSource(client, "cluster.local", ExportSelector.parse("mirror.isthmus.dev/exported=true"),
                new SimpleMeterRegistry(), KubernetesRouteSource.DEBOUNCE);
        source.start(tables);
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (source != null) {
            source.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aTrafficSplitGetsAnApexToTheGatewayAndBecomesAWeightedRoute() throws InterruptedException {
        client.resources(TrafficSplit.class).resource(split("podinfo", "podinfo-apex",
                new TrafficSplitSpec.Backend("podinfo", new IntOrString(50)),
                new TrafficSplitSpec.Backend("podinfo-east", new IntOrString("50")))).create();

        Service apex = await("the apex Service", () -> client.services().inNamespace("test").withName("podinfo-apex").get());
        assertThat(apex.getSpec().getSelector()).isNullOrEmpty();
        assertThat(apex.getMetadata().getLabels()).containsEntry(Names.SPLIT_APEX_LABEL, "true");
        // 14000 is podinfo-east's: the apex takes the next free port of the range.
        assertThat(apex.getMetadata().getAnnotations()).containsEntry(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14001")
                .containsEntry(Apex.SPLIT_ANNOTATION, "podinfo");
        assertThat(apex.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getPort()).isEqualTo(9898);
            assertThat(port.getTargetPort()).isEqualTo(new IntOrString(14001));
        });
        assertThat(apex.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("TrafficSplit"));
        assertThat(apex.getMetadata().getManagedFields()).as("applied under the mirror's one field manager")
                .anySatisfy(entry -> assertThat(entry.getManager()).isEqualTo(Names.FIELD_MANAGER));

        EndpointSlice slice = await("the apex's EndpointSlice",
                () -> client.discovery().v1().endpointSlices().inNamespace("test").withName("podinfo-apex").get());
        assertThat(slice.getMetadata().getLabels()).containsEntry(Names.SERVICE_NAME_LABEL, "podinfo-apex")
                .containsEntry(Names.MANAGED_BY_LABEL, Names.SPLIT_CONTROLLER);
        assertThat(slice.getEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getAddresses()).containsExactly("10.0.0.10");
            assertThat(endpoint.getConditions().getReady()).isTrue();
        });
        assertThat(slice.getPorts()).singleElement().satisfies(port -> assertThat(port.getPort()).isEqualTo(14001));

        TrafficSplitStatus.Condition accepted = awaitCondition("podinfo", "True");
        assertThat(accepted.reason).isEqualTo("Accepted");

        RouteTable table = tables.await("the split route on 14001", t -> t.outbound(14001) != null);
        assertThat(table.outbound(14001)).isEqualTo(new OutboundRoute(14001, "podinfo-apex.test.svc.cluster.local:9898", List.of(
                new WeightedBackend(new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1,
                        List.of(new Endpoint("10.0.1.5", 9898, true))), 1),
                new WeightedBackend(new RemoteTarget("east", List.of(new Endpoint("203.0.113.7", 4143, true)),
                        SpiffeId.parse(EAST_IDENTITY), "podinfo.test.svc.cluster.local", 9898), 1))));
        assertThat(table.outbound(14000)).as("the mirror's own route").isNotNull();

        // A gateway pod turns ready: the apex's slice follows.
        EndpointSlice gateway = client.discovery().v1().endpointSlices().inNamespace(Names.MULTICLUSTER_NAMESPACE)
                .withName("isthmus-gateway-abc").get();
        gateway.getEndpoints().get(1).getConditions().setReady(true);
        client.discovery().v1().endpointSlices().resource(gateway).update();
        await("both gateway pods in the apex's slice", () -> {
            EndpointSlice now = client.discovery().v1().endpointSlices().inNamespace("test").withName("podinfo-apex").get();
            return now.getEndpoints().size() == 2 ? now : null;
        });
        assertThat(client.leases().inNamespace(Names.MULTICLUSTER_NAMESPACE).withName(Names.SPLIT_LEASE).get().getSpec()
                .getHolderIdentity()).isEqualTo("gateway-0");
    }

    @Test
    void anApexThatExistsWithASelectorIsRefusedOnTheStatus() throws InterruptedException {
        Service taken = new ServiceBuilder()
                .withNewMetadata().withNamespace("test").withName("frontend").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "frontend"))
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().endSpec().build();
        client.services().resource(taken).create();
        client.resources(TrafficSplit.class).resource(split("frontend", "frontend",
                new TrafficSplitSpec.Backend("podinfo", new IntOrString(1)))).create();

        TrafficSplitStatus.Condition refused = awaitCondition("frontend", "False");

        assertThat(refused.reason).isEqualTo("ApexHasSelector");
        assertThat(refused.message).contains("Service test/frontend").contains("with a selector")
                .contains("choose a new apex name in spec.service").contains("Isthmus will create");
        Service after = client.services().inNamespace("test").withName("frontend").get();
        assertThat(after.getSpec().getSelector()).containsEntry("app", "frontend");
        assertThat(after.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(tables.last().outboundRoutes().values()).noneMatch(route -> route.name().startsWith("frontend."));
    }

    @Test
    void deletingTheSplitDeletesItsApex() throws InterruptedException {
        client.resources(TrafficSplit.class).resource(split("short-lived", "short-lived-apex",
                new TrafficSplitSpec.Backend("podinfo", new IntOrString("500m")))).create();
        await("the apex", () -> client.services().inNamespace("test").withName("short-lived-apex").get());
        RouteTable with = tables.await("its route", t -> t.outboundRoutes().values().stream()
                .anyMatch(route -> route.name().equals("short-lived-apex.test.svc.cluster.local:9898")));
        int port = with.outboundRoutes().values().stream().filter(r -> r.name().startsWith("short-lived-apex.")).findFirst()
                .orElseThrow().port();

        client.resources(TrafficSplit.class).inNamespace("test").withName("short-lived").delete();

        await("the apex gone", () -> client.services().inNamespace("test").withName("short-lived-apex").get() == null ? "gone" : null);
        await("its slice gone", () -> client.discovery().v1().endpointSlices().inNamespace("test").withName("short-lived-apex").get()
                == null ? "gone" : null);
        tables.await("no route on " + port, t -> t.outbound(port) == null);
        assertThat(client.services().inNamespace("test").withName("podinfo").get()).as("backends stay").isNotNull();
    }

    @Test
    void changingTheApexDeletesTheOldOneAndTheLogSaysWhy() throws InterruptedException {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(SplitController.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Level level = logger.getLevel();
        logger.setLevel(java.util.logging.Level.INFO);
        logger.addHandler(handler);
        try {
            client.resources(TrafficSplit.class).resource(split("moving", "moving-apex-a",
                    new TrafficSplitSpec.Backend("podinfo", new IntOrString("500m")))).create();
            await("the first apex", () -> client.services().inNamespace("test").withName("moving-apex-a").get());

            awaitCondition("moving", "True");
            // A merge patch without resourceVersion: the controller writes the status meanwhile.
            client.resources(TrafficSplit.class).inNamespace("test").withName("moving").patch(
                    io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                    "{\"spec\":{\"service\":\"moving-apex-b\"}}");

            await("the second apex", () -> client.services().inNamespace("test").withName("moving-apex-b").get());
            await("the first apex gone", () -> client.services().inNamespace("test").withName("moving-apex-a").get() == null
                    ? "gone" : null);
            await("the log line", () -> logged.stream().filter(m -> m.startsWith("deleted apex Service test/moving-apex-a"))
                    .findFirst().orElse(null));
            assertThat(logged).contains("deleted apex Service test/moving-apex-a: its TrafficSplit test/moving now names apex"
                    + " moving-apex-b").noneMatch(m -> m.contains("is gone"));
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(level);
            client.resources(TrafficSplit.class).inNamespace("test").withName("moving").delete();
        }
    }

    static TrafficSplit split(String name, String apex, TrafficSplitSpec.Backend... backends) {
        TrafficSplit split = new TrafficSplit();
        split.setMetadata(new ObjectMetaBuilder().withNamespace("test").withName(name).build());
        split.setSpec(new TrafficSplitSpec(apex, List.of(backends)));
        return split;
    }

    static TrafficSplitStatus.Condition awaitCondition(String split, String status) throws InterruptedException {
        return await("Accepted=" + status + " on TrafficSplit " + split, () -> {
            TrafficSplit now = client.resources(TrafficSplit.class).inNamespace("test").withName(split).get();
            return now.getStatus() == null ? null : now.getStatus().conditions.stream()
                    .filter(c -> "Accepted".equals(c.type) && status.equals(c.status)).findFirst().orElse(null);
        });
    }

    static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        return Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(probe::get, Objects::nonNull);
    }
}
