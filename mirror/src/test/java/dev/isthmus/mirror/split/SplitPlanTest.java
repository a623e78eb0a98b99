package dev.isthmus.mirror.split;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitPlanTest {

    static final PortRange RANGE = new PortRange(14000, 14003);
    static final TrafficSplit SPLIT = split("podinfo", "podinfo-apex", "podinfo", "podinfo-east");
    static final Service PODINFO = service("podinfo", Map.of("app", "podinfo"), Map.of(), Map.of());
    static final EndpointSlice GATEWAY = new EndpointSliceBuilder()
            .withMetadata(new ObjectMetaBuilder().withNamespace(Names.MULTICLUSTER_NAMESPACE).withName("gw").build())
            .withAddressType("IPv4")
            .addNewEndpoint().withAddresses("10.0.0.2").withNewConditions().withReady(true).endConditions().endEndpoint()
            .addNewEndpoint().withAddresses("10.0.0.1").endEndpoint()
            .addNewEndpoint().withAddresses("10.0.0.3").withNewConditions().withReady(false).endConditions().endEndpoint()
            .build();

    @Test
    void anAcceptedSplitGetsAnApexWithTheFirstBackendsPortsOnFreeGatewayPorts() {
        Service mirror = service("podinfo-east", null, Map.of(Names.MIRRORED_SERVICE_LABEL, "true"),
                Map.of(Names.GATEWAY_PORTS_ANNOTATION, "9898=14000"));
        Service otherApex = service("other-apex", null, Map.of(Names.SPLIT_APEX_LABEL, "true"),
                Map.of(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14001", Apex.SPLIT_ANNOTATION, "other"));

        SplitPlan.Outcome outcome = SplitPlan.plan(SPLIT, List.of(PODINFO, mirror, otherApex), List.of(GATEWAY), RANGE);

        assertThat(outcome).isInstanceOf(SplitPlan.Accept.class);
        SplitPlan.Accept accept = (SplitPlan.Accept) outcome;
        assertThat(accept.apex().getSpec().getSelector()).isNullOrEmpty();
        assertThat(accept.apex().getMetadata().getAnnotations()).containsEntry(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14002,8080=14003");
        assertThat(accept.apex().getSpec().getPorts()).extracting(p -> p.getTargetPort().getIntVal()).containsExactly(14002, 14003);
        assertThat(Apex.belongsTo(accept.apex(), SPLIT)).isTrue();
        // Ready gateway pods only (an absent condition counts as ready), in a stable order.
        assertThat(accept.slice().getEndpoints()).extracting(e -> e.getAddresses().get(0)).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(accept.slice().getPorts()).extracting(p -> p.getPort()).containsExactly(14002, 14003);
    }

    @Test
    void anApexWeAlreadyMadeKeepsItsPorts() {
        Service existing = service("podinfo-apex", null, Map.of(Names.SPLIT_APEX_LABEL, "true"),
                Map.of(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14003,8080=14000", Apex.SPLIT_ANNOTATION, "podinfo"));

        SplitPlan.Accept accept = (SplitPlan.Accept) SplitPlan.plan(SPLIT, List.of(PODINFO, existing), List.of(), RANGE);

        assertThat(accept.apex().getMetadata().getAnnotations()).containsEntry(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14003,8080=14000");
        assertThat(accept.slice().getEndpoints()).isEmpty();
    }

    @Test
    void anApexNameTakenByAServiceWithASelectorOrNotOursIsRefused() {
        Service withSelector = service("podinfo-apex", Map.of("app", "x"), Map.of(), Map.of());
        Service labelledButSelecting = service("podinfo-apex", Map.of("app", "x"), Map.of(Names.SPLIT_APEX_LABEL, "true"), Map.of());
        Service notOurs = service("podinfo-apex", null, Map.of(), Map.of());

        for (Service taken : List.of(withSelector, labelledButSelecting, notOurs)) {
            SplitPlan.Outcome outcome = SplitPlan.plan(SPLIT, List.of(PODINFO, taken), List.of(), RANGE);

            assertThat(outcome).isInstanceOfSatisfying(SplitPlan.Refuse.class, refuse -> {
                assertThat(refuse.reason()).isEqualTo("ApexHasSelector");
                assertThat(refuse.message()).startsWith("Service test/podinfo-apex already exists")
                        .contains("choose a new apex name in spec.service");
            });
        }
    }

    @Test
    void anApexOfAnotherSplitIsRefused() {
        Service theirs = service("podinfo-apex", null, Map.of(Names.SPLIT_APEX_LABEL, "true"),
                Map.of(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14000", Apex.SPLIT_ANNOTATION, "older-split"));

        assertThat(SplitPlan.plan(SPLIT, List.of(PODINFO, theirs), List.of(), RANGE)).isEqualTo(new SplitPlan.Refuse("ApexInUse",
                "Service test/podinfo-apex is already the apex of TrafficSplit test/older-split: choose a new apex name in spec.service"));
    }

    @Test
    void withoutItsFirstBackendOrFreePortsASplitIsRefused() {
        assertThat(SplitPlan.plan(SPLIT, List.of(), List.of(), RANGE)).isInstanceOfSatisfying(SplitPlan.Refuse.class, refuse -> {
            assertThat(refuse.reason()).isEqualTo("BackendNotFound");
            assertThat(refuse.message()).contains("Service test/podinfo, does not exist");
        });
        Service full = service("hog", null, Map.of(), Map.of(Names.GATEWAY_PORTS_ANNOTATION, "1=14000,2=14001,3=14002,4=14003"));
        assertThat(SplitPlan.plan(SPLIT, List.of(PODINFO, full), List.of(), RANGE)).isInstanceOfSatisfying(SplitPlan.Refuse.class,
                refuse -> assertThat(refuse.reason()).isEqualTo("PortsExhausted"));
    }

    @Test
    void aMalformedClaimHoldsNoPort() {
        Service malformed = service("odd", null, Map.of(), Map.of(Names.GATEWAY_PORTS_ANNOTATION, "9898:14000"));

        SplitPlan.Accept accept = (SplitPlan.Accept) SplitPlan.plan(SPLIT, List.of(PODINFO, malformed), List.of(), RANGE);

        assertThat(accept.apex().getMetadata().getAnnotations()).containsEntry(Apex.GATEWAY_PORTS_ANNOTATION, "9898=14000,8080=14001");
    }

    static Service service(String name, Map<String, String> selector, Map<String, String> labels, Map<String, String> annotations) {
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace("test").withName(name).withLabels(new HashMap<>(labels))
                        .withAnnotations(new HashMap<>(annotations)).build())
                .withNewSpec().withSelector(selector)
                .addNewPort().withName("http").withPort(9898).withProtocol("TCP").endPort()
                .addNewPort().withName("admin").withPort(8080).withProtocol("TCP").endPort()
                .addNewPort().withName("dns").withPort(53).withProtocol("UDP").endPort()
                .endSpec().build();
    }

    static TrafficSplit split(String name, String apex, String... backends) {
        TrafficSplit split = new TrafficSplit();
        split.setMetadata(new ObjectMetaBuilder().withNamespace("test").withName(name).withUid("uid-" + name).build());
        split.setSpec(new TrafficSplitSpec(apex, java.util.Arrays.stream(backends)
                .map(b -> new TrafficSplitSpec.Backend(b, new IntOrString(1))).toList()));
        return split;
    }
}
