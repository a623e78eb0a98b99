package dev.isthmus.mirror.routes;

import static dev.isthmus.mirror.routes.KubeObjects.apex;
import static dev.isthmus.mirror.routes.KubeObjects.exported;
import static dev.isthmus.mirror.routes.KubeObjects.link;
import static dev.isthmus.mirror.routes.KubeObjects.mirrored;
import static dev.isthmus.mirror.routes.KubeObjects.port;
import static dev.isthmus.mirror.routes.KubeObjects.service;
import static dev.isthmus.mirror.routes.KubeObjects.slice;
import static dev.isthmus.mirror.routes.KubeObjects.split;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.ClientProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkedGateway;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.ProbeOverrides;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.routes.KubeObjects.Ep;
import dev.isthmus.mirror.routes.RouteMapping.Result;
import dev.isthmus.mirror.routes.RouteMapping.Skipped;
import dev.isthmus.mirror.split.TrafficSplit;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteMappingTest {

    static final ExportSelector SELECTOR = ExportSelector.parse("mirror.isthmus.dev/exported=true");
    static final SpiffeId EAST_ID = SpiffeId.parse(KubeObjects.EAST_IDENTITY);
    static final Link EAST = link("east", "", List.of("203.0.113.7", "203.0.113.8"), 4143, KubeObjects.EAST_IDENTITY);

    @Test
    void anExportedServiceIsOneInboundEntryPerPortWithItsEndpointsByPortName() {
        Service web = exported("test", "web", port("http", 80, null), port("grpc", 9090, "kubernetes.io/h2c"),
                port("redis", 6379, "tcp"));
        EndpointSlice first = slice("test", "web-abc", "web", ports("http", 8080, "grpc", 9091, "metrics", 9100),
                new Ep("10.0.0.1", true), new Ep("10.0.0.2", false), new Ep("10.0.0.3", null));
        EndpointSlice second = slice("test", "web-def", "web", ports("http", 8080),
                new Ep("10.0.0.1", false), new Ep("10.0.0.4", true));
        EndpointSlice otherService = slice("test", "api-xyz", "api", ports("http", 8080), new Ep("10.9.9.9", true));

        Result result = map(List.of(web), List.of(first, second, otherService), List.of(), List.of());

        assertThat(result.skipped()).isEmpty();
        assertThat(result.table().exported("web.test.svc.cluster.local", 80)).isEqualTo(new ExportedService(
                "web.test.svc.cluster.local", 80, BackendProtocol.HTTP1, List.of(new Endpoint("10.0.0.1", 8080, true),
                        new Endpoint("10.0.0.2", 8080, false), new Endpoint("10.0.0.3", 8080, true), new Endpoint("10.0.0.4", 8080, true))));
        assertThat(result.table().exported("web.test.svc.cluster.local", 9090)).isEqualTo(new ExportedService(
                "web.test.svc.cluster.local", 9090, BackendProtocol.H2C, List.of(new Endpoint("10.0.0.1", 9091, true),
                        new Endpoint("10.0.0.2", 9091, false), new Endpoint("10.0.0.3", 9091, true))));
        // No slice has a port named redis (and nobody reads the slices' metrics port): no endpoints, yet exported.
        assertThat(result.table().exported("web.test.svc.cluster.local", 6379).protocol()).isEqualTo(BackendProtocol.OPAQUE);
        assertThat(result.table().exported("web.test.svc.cluster.local", 6379).endpoints()).isEmpty();
        assertThat(result.table().exportedServices()).hasSize(3);
    }

    @Test
    void protocolsFollowAppProtocolAndTheAnnotationWins() {
        List<Service> services = List.of(
                exported("test", "a", port("p1", 1, "http"), port("p2", 2, "kubernetes.io/http"), port("p3", 3, "H2C"),
                        port("p4", 4, "opaque"), port("p5", 5, "")),
                service("test", "b", List.of(port("p", 80, "kubernetes.io/h2c")), Map.of(Names.EXPORTED_LABEL, "true"),
                        Map.of(Names.PROTOCOL_ANNOTATION, "opaque")));

        Result result = map(services, List.of(), List.of(), List.of());

        assertThat(List.of(1, 2, 3, 4, 5)).map(p -> result.table().exported("a.test.svc.cluster.local", p).protocol())
                .containsExactly(BackendProtocol.HTTP1, BackendProtocol.HTTP1, BackendProtocol.H2C, BackendProtocol.OPAQUE,
                        BackendProtocol.HTTP1);
        assertThat(result.table().exported("b.test.svc.cluster.local", 80).protocol()).isEqualTo(BackendProtocol.OPAQUE);
    }

    @Test
    void aBadProtocolAnnotationLeavesOutThatServiceOnly() {
        List<Service> services = List.of(
                service("test", "bad", List.of(port("http", 80, null)), Map.of(Names.EXPORTED_LABEL, "true"),
                        Map.of(Names.PROTOCOL_ANNOTATION, "http3")),
                exported("test", "good", port("http", 80, null)));

        Result result = map(services, List.of(), List.of(), List.of());

        assertThat(result.table().exported("good.test.svc.cluster.local", 80)).isNotNull();
        assertThat(result.table().exported("bad.test.svc.cluster.local", 80)).isNull();
        assertThat(result.skipped()).containsExactly(new Skipped("inbound", "Service test/bad",
                "annotation gateway.isthmus.dev/protocol: 'http3' (expected: http1, h2c or opaque)"));
    }

    @Test
    void anUnknownAppProtocolLeavesOutThatPortOnly() {
        Result result = map(List.of(exported("test", "web", port("grpc", 9090, "grpc"), port("http", 80, null))), List.of(),
                List.of(), List.of());

        assertThat(result.table().exported("web.test.svc.cluster.local", 80)).isNotNull();
        assertThat(result.table().exported("web.test.svc.cluster.local", 9090)).isNull();
        assertThat(result.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.object()).isEqualTo("Service test/web port 9090");
            assertThat(skipped.reason()).startsWith("appProtocol 'grpc' (expected: http, kubernetes.io/http, h2c");
        });
    }

    @Test
    void onlySelectedServicesAreExportedAndNeverMirrorsOrApexes() {
        Service unlabelled = service("test", "private", List.of(port("http", 80, null)), Map.of(), Map.of());
        Service otherValue = service("test", "no", List.of(port("http", 80, null)), Map.of(Names.EXPORTED_LABEL, "false"), Map.of());
        Service mirror = mirrored("test", "web-east", "east", "80=14000", port("http", 80, null));
        mirror.getMetadata().getLabels().put(Names.EXPORTED_LABEL, "true");
        Service apex = apex("test", "web-split", "web-split", "80=14001", port("http", 80, null));
        apex.getMetadata().getLabels().put(Names.EXPORTED_LABEL, "true");

        Result result = map(List.of(unlabelled, otherValue, mirror, apex), List.of(), List.of(EAST), List.of());

        assertThat(result.table().exportedServices()).isEmpty();
    }

    @Test
    void anotherSelectorExportsWhatItSelects() {
        Service linkerdStyle = service("test", "web", List.of(port("http", 80, null)), Map.of("mirror.linkerd.io/exported", "true"),
                Map.of());

        Result result = RouteMapping.map(new ClusterObjects(List.of(linkerdStyle), List.of(), List.of(), List.of()), "west.example",
                ExportSelector.parse("mirror.linkerd.io/exported=true"));

        assertThat(result.table().exported("web.test.svc.west.example", 80)).isNotNull();
    }

    @Test
    void aPortListedTwiceAndUdpPortsAreLeftOut() {
        Service web = exported("test", "dns", port("dns-tcp", 53, null), port("again", 53, "tcp"),
                new ServicePortBuilder().withName("dns-udp").withPort(54).withProtocol("UDP").build());

        Result result = map(List.of(web), List.of(), List.of(), List.of());

        assertThat(result.table().exportedServices()).singleElement().satisfies(s -> {
            assertThat(s.port()).isEqualTo(53);
            assertThat(s.protocol()).isEqualTo(BackendProtocol.HTTP1);
        });
        assertThat(result.skipped()).singleElement().satisfies(s ->
                assertThat(s.reason()).isEqualTo("the port is listed twice (expected each port once); kept the first"));
    }

    @Test
    void hostileEndpointsAreLeftOutAndTheRestKept() {
        EndpointSlice slice = slice("test", "web-abc", "web", ports("http", 8080), new Ep("", true), new Ep("10.0.0.1", true));
        slice.getEndpoints().add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder().build()); // no addresses
        slice.getPorts().add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder().withName("nameless").build());
        EndpointSlice unlabelled = slice("test", "stray", "web", ports("http", 8080), new Ep("10.0.0.2", true));
        unlabelled.getMetadata().setLabels(null);

        Result result = map(List.of(exported("test", "web", port("http", 80, null))), List.of(slice, unlabelled), List.of(), List.of());

        assertThat(result.table().exported("web.test.svc.cluster.local", 80).endpoints())
                .containsExactly(new Endpoint("10.0.0.1", 8080, true));
        assertThat(result.skipped()).singleElement().satisfies(s -> assertThat(s.object()).isEqualTo("EndpointSlice test/web-abc"));
    }

    @Test
    void aMirroredServiceIsAnOutboundRouteThroughItsLink() {
        Service mirror = mirrored("test", "podinfo-east", "east", "9898=14000,8080=14001", port("http", 9898, null),
                port("admin", 8080, null));

        Result result = map(List.of(mirror), List.of(), List.of(EAST), List.of());

        assertThat(result.skipped()).isEmpty();
        List<Endpoint> gateways = List.of(new Endpoint("203.0.113.7", 4143, true), new Endpoint("203.0.113.8", 4143, true));
        assertThat(result.table().outboundRoutes()).containsOnlyKeys(14000, 14001);
        assertThat(result.table().outbound(14000)).isEqualTo(OutboundRoute.mirror(14000, "podinfo-east.test.svc.cluster.local:9898",
                new RemoteTarget("east", gateways, EAST_ID, "podinfo.test.svc.cluster.local", 9898)));
        assertThat(result.table().outbound(14001)).isEqualTo(OutboundRoute.mirror(14001, "podinfo-east.test.svc.cluster.local:8080",
                new RemoteTarget("east", gateways, EAST_ID, "podinfo.test.svc.cluster.local", 8080)));
    }

    @Test
    void aMirroredPortsDeclaredProtocolReachesItsRouteAndTheAnnotationWins() {
        Service byAppProtocol = mirrored("test", "a-east", "east", "1=14001,2=14002,3=14003,4=14004,5=14005",
                port("p1", 1, "kubernetes.io/h2c"), port("p2", 2, "tcp"), port("p3", 3, null), port("p4", 4, "grpc"),
                port("p5", 5, "http"));
        Service byAnnotation = mirrored("test", "b-east", "east", "80=14010", port("http", 80, "http"));
        byAnnotation.getMetadata().getAnnotations().put(Names.PROTOCOL_ANNOTATION, "opaque");
        Service badAnnotation = mirrored("test", "c-east", "east", "80=14020", port("http", 80, "tcp"));
        badAnnotation.getMetadata().getAnnotations().put(Names.PROTOCOL_ANNOTATION, "http3");

        Result result = map(List.of(byAppProtocol, byAnnotation, badAnnotation), List.of(), List.of(EAST), List.of());

        assertThat(List.of(14001, 14002, 14003, 14004, 14005)).map(p -> result.table().outbound(p).protocol())
                .containsExactly(ClientProtocol.H2C, ClientProtocol.OPAQUE, ClientProtocol.DETECT, ClientProtocol.DETECT,
                        ClientProtocol.HTTP);
        assertThat(result.table().outbound(14010).protocol()).as("the annotation wins over appProtocol").isEqualTo(ClientProtocol.OPAQUE);
        assertThat(result.table().outbound(14020).protocol()).as("an unknown annotation is left to detection")
                .isEqualTo(ClientProtocol.DETECT);
    }

    @Test
    void withoutResolvedAddressesTheLinksSpecAddressesAreUsed() {
        Link link = link("east", " 198.51.100.1, gw.east.example ,,[2001:db8::1]", null, 443, KubeObjects.EAST_IDENTITY);

        Result result = map(List.of(mirrored("test", "web-east", "east", "80=14000", port("http", 80, null))), List.of(),
                List.of(link), List.of());

        RemoteTarget target = (RemoteTarget) result.table().outbound(14000).backends().get(0).backend();
        assertThat(target.gateways()).containsExactly(new Endpoint("198.51.100.1", 443, true),
                new Endpoint("gw.east.example", 443, true), new Endpoint("2001:db8::1", 443, true));
    }

    @Test
    void aLinksProbeSpecBecomesItsOwnProbeSettingsAndAnUnusableOneTheGateways() {
        Link link = link("east", "198.51.100.1", null, 4143, KubeObjects.EAST_IDENTITY);
        link.getSpec().probeSpec = new dev.isthmus.mirror.link.LinkSpec.ProbeSpec();
        link.getSpec().probeSpec.period = "10s";
        link.getSpec().probeSpec.timeout = "1500ms";
        link.getSpec().probeSpec.failureThreshold = 5;
        Service mirror = mirrored("test", "web-east", "east", "80=14000", port("http", 80, null));

        RemoteTarget target = (RemoteTarget) map(List.of(mirror), List.of(), List.of(link), List.of()).table()
                .outbound(14000).backends().get(0).backend();
        assertThat(target.probe()).isEqualTo(new ProbeOverrides(java.time.Duration.ofSeconds(10),
                java.time.Duration.ofMillis(1500), 5));

        link.getSpec().probeSpec.period = "1.5s"; // a Go duration the CRD's schema refuses
        link.getSpec().probeSpec.failureThreshold = 0;
        target = (RemoteTarget) map(List.of(mirror), List.of(), List.of(link), List.of()).table()
                .outbound(14000).backends().get(0).backend();
        assertThat(target.probe()).isEqualTo(ProbeOverrides.NONE);

        link.getSpec().probeSpec = null;
        target = (RemoteTarget) map(List.of(mirror), List.of(), List.of(link), List.of()).table()
                .outbound(14000).backends().get(0).backend();
        assertThat(target.probe()).isEqualTo(ProbeOverrides.NONE);
    }

    /** As Linkerd probes every Link: `multicluster gateways` shows a new link alive, with a latency, before anything is exported. */
    @Test
    void everyLinkIsAGatewayToProbeEvenWithNothingMirroredAndABrokenOneIsSkippedWithItsReason() {
        Link broken = link("north", "198.51.100.1", null, 4143, "not-a-spiffe-id");

        Result result = map(List.of(), List.of(), List.of(EAST, broken), List.of());

        assertThat(result.table().outboundRoutes()).isEmpty();
        assertThat(result.table().links()).containsExactly(new LinkedGateway("east",
                List.of(new Endpoint("203.0.113.7", 4143, true), new Endpoint("203.0.113.8", 4143, true)), EAST_ID, ProbeOverrides.NONE));
        assertThat(result.skipped()).extracting(Skipped::toString).singleElement().asString()
                .startsWith("link north: Link north: spec.gatewayIdentity: ");
    }

    @Test
    void aMirrorWithoutItsLinkOrWithABadAnnotationIsLeftOutAlone() {
        Service good = mirrored("test", "good-east", "east", "80=14000", port("http", 80, null));
        Service noLink = mirrored("test", "web-north", "north", "80=14001", port("http", 80, null));
        Service malformed = mirrored("test", "bad-east", "east", "80:14002", port("http", 80, null));
        Service noAnnotation = mirrored("test", "none-east", "east", null, port("http", 80, null));
        Service missingPort = mirrored("test", "partial-east", "east", "80=14003", port("http", 80, null), port("admin", 81, null));
        Link elsewhere = link("north", "198.51.100.1", null, 4143, KubeObjects.EAST_IDENTITY);
        elsewhere.getMetadata().setNamespace("default"); // a Link outside isthmus-multicluster counts for nothing

        Result result = map(List.of(good, noLink, malformed, noAnnotation, missingPort), List.of(), List.of(EAST, elsewhere), List.of());

        assertThat(result.table().outboundRoutes()).containsOnlyKeys(14000, 14003);
        assertThat(result.skipped()).extracting(Skipped::toString).containsExactlyInAnyOrder(
                "outbound Service test/web-north: no Link 'north' in namespace isthmus-multicluster (expected the Link named"
                        + " by its label mirror.isthmus.dev/cluster-name)",
                "outbound Service test/bad-east: annotation mirror.isthmus.dev/gateway-ports: '80:14002': '80:14002' is not"
                        + " servicePort=gatewayPort (expected: servicePort=gatewayPort pairs separated by commas, e.g. 9898=14000,8080=14001)",
                "outbound Service test/none-east: no annotation mirror.isthmus.dev/gateway-ports (expected servicePort=gatewayPort"
                        + " pairs, written by the mirror controller)",
                "outbound Service test/partial-east port 81: annotation mirror.isthmus.dev/gateway-ports gives it no gateway port"
                        + " (expected 81=<port>)");
    }

    @Test
    void aLinkWithABadIdentityOrNoRemoteNameLeavesItsMirrorsOut() {
        Link impostor = link("north", "198.51.100.1", null, 4143, "https://north.example/gateway");
        Service viaImpostor = mirrored("test", "web-north", "north", "80=14000", port("http", 80, null));
        Service nameless = mirrored("test", "web-east", "east", "80=14001", port("http", 80, null));
        nameless.getMetadata().getAnnotations().remove(Names.REMOTE_FQDN_ANNOTATION);

        Result result = map(List.of(viaImpostor, nameless), List.of(), List.of(EAST, impostor), List.of());

        assertThat(result.table().outboundRoutes()).isEmpty();
        assertThat(result.skipped()).extracting(Skipped::reason).anySatisfy(r -> assertThat(r).startsWith("Link north: spec.gatewayIdentity:"))
                .anySatisfy(r -> assertThat(r).startsWith("no annotation mirror.isthmus.dev/remote-svc-fq-name"));
    }

    @Test
    void twoMirrorsClaimingOneGatewayPortLeaveItToTheOlder() {
        Service younger = mirrored("test", "a-east", "east", "80=14000", port("http", 80, null));
        younger.getMetadata().setCreationTimestamp("2026-01-02T00:00:00Z");
        Service older = mirrored("test", "b-east", "east", "80=14000", port("http", 80, null));
        older.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");

        Result result = map(List.of(younger, older), List.of(), List.of(EAST), List.of());

        assertThat(result.table().outbound(14000).name()).isEqualTo("b-east.test.svc.cluster.local:80");
        assertThat(result.skipped()).singleElement().satisfies(s -> {
            assertThat(s.object()).isEqualTo("a-east.test.svc.cluster.local:80");
            assertThat(s.reason()).contains("gateway port 14000 is already b-east.test.svc.cluster.local:80's (Service test/b-east, older)");
        });
    }

    @Test
    void anAcceptedSplitIsAWeightedRouteToLocalAndMirroredBackends() {
        Service local = service("test", "podinfo", List.of(port("http", 9898, null)), Map.of(), Map.of());
        Service mirror = mirrored("test", "podinfo-east", "east", "9898=14000", port("http", 9898, null));
        Service apex = apex("test", "podinfo-split", "podinfo", "9898=14100", port("http", 9898, null));
        EndpointSlice localSlice = slice("test", "podinfo-abc", "podinfo", ports("http", 9898), new Ep("10.0.0.5", true));
        TrafficSplit split = split("test", "podinfo", "podinfo-split", "podinfo", 50, "podinfo-east", 50);

        Result result = map(List.of(local, mirror, apex), List.of(localSlice), List.of(EAST), List.of(split));

        assertThat(result.skipped()).isEmpty();
        assertThat(result.table().outboundRoutes()).containsOnlyKeys(14000, 14100);
        assertThat(result.table().outbound(14100)).isEqualTo(new OutboundRoute(14100, "podinfo-split.test.svc.cluster.local:9898", List.of(
                new WeightedBackend(new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1,
                        List.of(new Endpoint("10.0.0.5", 9898, true))), 1),
                new WeightedBackend(new RemoteTarget("east", List.of(new Endpoint("203.0.113.7", 4143, true),
                        new Endpoint("203.0.113.8", 4143, true)), EAST_ID, "podinfo.test.svc.cluster.local", 9898), 1))));
        assertThat(result.table().exported("podinfo.test.svc.cluster.local", 9898)).as("a split backend is not exported").isNull();
    }

    @Test
    void quantityWeightsKeepTheirRatios() {
        Service a = service("test", "a", List.of(port("http", 80, null)), Map.of(), Map.of());
        Service b = service("test", "b", List.of(port("web", 8080, null)), Map.of(), Map.of());
        Service apex = apex("test", "ab", "ab", "80=14100", port("web", 80, null));

        Result result = map(List.of(a, b, apex), List.of(), List.of(), List.of(split("test", "ab", "ab", "a", "500m", "b", 1)));

        // b has no port 80 but one named like the apex's: that one serves.
        assertThat(result.table().outbound(14100).backends()).extracting(WeightedBackend::weight).containsExactly(1, 2);
        assertThat(((ExportedService) result.table().outbound(14100).backends().get(1).backend()).port()).isEqualTo(8080);
    }

    @Test
    void aSplitWhoseApexIsNotOursHasNoRouteAndIsLeftToItsStatus() {
        Service selected = service("test", "podinfo", List.of(port("http", 9898, null)), Map.of(), Map.of());
        selected.getSpec().setSelector(Map.of("app", "podinfo"));
        Service otherOwner = apex("test", "shared", "someone-else", "9898=14100", port("http", 9898, null));

        Result result = map(List.of(selected, otherOwner), List.of(), List.of(),
                List.of(split("test", "podinfo", "podinfo", "podinfo", 1), split("test", "mine", "shared", "podinfo", 1),
                        split("test", "pending", "not-created-yet", "podinfo", 1)));

        assertThat(result.table().outboundRoutes()).isEmpty();
        assertThat(result.skipped()).isEmpty();
    }

    @Test
    void unresolvableBackendsAreLeftOutAndTheRestSplit() {
        Service local = service("test", "podinfo", List.of(port("http", 9898, null)), Map.of(), Map.of());
        Service portless = service("test", "other", List.of(port("grpc", 9090, null)), Map.of(), Map.of());
        Service apex = apex("test", "podinfo-split", "s", "9898=14100", port("http", 9898, null));
        TrafficSplit split = split("test", "s", "podinfo-split", "podinfo", 1, "gone", 1, "other", 1, "podinfo-split", 1,
                "podinfo", "lots");

        Result result = map(List.of(local, portless, apex), List.of(), List.of(), List.of(split));

        assertThat(result.table().outbound(14100).backends()).singleElement()
                .satisfies(b -> assertThat(b.backend()).isInstanceOf(ExportedService.class));
        assertThat(result.skipped()).extracting(Skipped::reason).containsExactly(
                "spec.backends[1]: no Service test/gone (expected a local Service or a mirrored one such as podinfo-east)",
                "spec.backends[2]: Service test/other has no port 9898 or named http (expected the backends to share the apex's ports)",
                "spec.backends[3]: Service test/podinfo-split is a split apex (expected a Service with endpoints or a mirror)",
                "spec.backends[4].weight: 'lots' (expected: a whole number or a quantity such as 500m, at least 0)");
    }

    @Test
    void aSplitWithNoUsableBackendHasNoRoute() {
        Service apex = apex("test", "podinfo-split", "s", "9898=14100", port("http", 9898, null));

        Result result = map(List.of(apex), List.of(), List.of(), List.of(split("test", "s", "podinfo-split", "gone", 1)));

        assertThat(result.table().outboundRoutes()).isEmpty();
        assertThat(result.skipped()).extracting(Skipped::reason).contains(
                "no backend could be resolved (expected at least one local or mirrored Service)");
    }

    @Test
    void aServiceNameTheTableCannotHoldIsLeftOutNotTheTable() {
        Service dotted = exported("test", "web.v2", port("http", 80, null));

        Result result = map(List.of(dotted, exported("test", "web", port("http", 80, null))), List.of(), List.of(), List.of());

        assertThat(result.table().exportedServices()).hasSize(1);
        assertThat(result.skipped()).hasSize(1);
    }

    static Result map(List<Service> services, List<EndpointSlice> slices, List<Link> links, List<TrafficSplit> splits) {
        return RouteMapping.map(new ClusterObjects(services, slices, links, splits), "cluster.local", SELECTOR);
    }

    static Map<String, Integer> ports(Object... nameThenPort) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < nameThenPort.length; i += 2) {
            ports.put((String) nameThenPort[i], (Integer) nameThenPort[i + 1]);
        }
        return ports;
    }

    static <T extends HasMetadata> List<T> list(T... objects) {
        return new ArrayList<>(List.of(objects));
    }
}
