package dev.isthmus.mirror.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import dev.isthmus.mirror.link.LinkSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MirrorObjectsTest {

    static LinkSettings link(List<String> excludedLabels, List<String> excludedAnnotations) {
        Link link = new Link();
        link.setMetadata(new ObjectMetaBuilder().withName("east").withNamespace(Names.MULTICLUSTER_NAMESPACE).build());
        LinkSpec spec = new LinkSpec();
        spec.targetClusterName = "east";
        spec.targetClusterDomain = "east.example";
        spec.clusterCredentialsSecret = "cluster-credentials-east";
        spec.gatewayIdentity = Names.gatewayIdentity("cluster.local");
        spec.excludedLabels = excludedLabels;
        spec.excludedAnnotations = excludedAnnotations;
        link.setSpec(spec);
        return LinkSettings.of(link);
    }

    static Service remote(String name, ServicePort... ports) {
        return new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace("test").withResourceVersion("42")
                .addToLabels("app", "podinfo").addToLabels(Names.EXPORTED_LABEL, "true")
                .addToLabels("team.example.com/owner", "x").addToLabels("secret", "s")
                .addToAnnotations("keep", "me").addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{}")
                .addToAnnotations("service.kubernetes.io/topology-mode", "Auto")
                .addToAnnotations("drop.example.com/a", "1").addToAnnotations(Names.GATEWAY_PORTS_ANNOTATION, "1=2")
                .endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("10.0.0.9").withSelector(Map.of("app", "podinfo"))
                .withPorts(List.of(ports)).endSpec()
                .build();
    }

    static ServicePort port(String name, String protocol, int port) {
        ServicePort p = new ServicePort();
        p.setName(name);
        p.setProtocol(protocol);
        p.setPort(port);
        p.setTargetPort(new IntOrString("http"));
        p.setNodePort(30000);
        return p;
    }

    private final LinkSettings link = link(List.of("secret", "team.example.com/*"), List.of("drop.example.com/*"));

    @Test
    void mirrorServiceCopiesPortsLabelsAndAnnotationsAsTheContractSays() {
        ServicePort http = port("http", "TCP", 9898);
        http.setAppProtocol("kubernetes.io/h2c");
        Service remote = remote("podinfo", http, port("grpc", "TCP", 9999));
        Map<Integer, Integer> ports = new LinkedHashMap<>(Map.of(9898, 14000));
        ports.put(9999, 14001);

        Service mirror = MirrorObjects.desiredService(remote, link, ports);

        assertThat(mirror.getMetadata().getName()).isEqualTo("podinfo-east");
        assertThat(mirror.getMetadata().getNamespace()).isEqualTo("test");
        assertThat(mirror.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "app", "podinfo", Names.MIRRORED_SERVICE_LABEL, "true", Names.CLUSTER_NAME_LABEL, "east"));
        assertThat(mirror.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "keep", "me",
                Names.REMOTE_FQDN_ANNOTATION, "podinfo.test.svc.east.example",
                Names.REMOTE_RESOURCE_VERSION_ANNOTATION, "42",
                Names.GATEWAY_PORTS_ANNOTATION, "9898=14000,9999=14001"));
        assertThat(mirror.getSpec().getSelector()).isNullOrEmpty();
        assertThat(mirror.getSpec().getClusterIP()).isNull();
        assertThat(mirror.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(mirror.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort,
                ServicePort::getTargetPort, ServicePort::getAppProtocol, ServicePort::getNodePort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("http", 9898, new IntOrString(14000), "kubernetes.io/h2c", null),
                        org.assertj.core.groups.Tuple.tuple("grpc", 9999, new IntOrString(14001), null, null));
    }

    @Test
    void udpPortsAreLeftOutAndAServiceWithOnlyUdpIsInvalid() {
        Service dns = remote("dns", port("dns-tcp", "TCP", 53), port("dns", "UDP", 53));
        assertThat(MirrorObjects.mirroredPorts(dns)).containsExactly(53);
        assertThat(MirrorObjects.desiredService(dns, link, Map.of(53, 14000)).getSpec().getPorts()).hasSize(1);
        assertThat(MirrorObjects.problem(remote("udp", port("u", "UDP", 53)), link)).hasValueSatisfying(
                why -> assertThat(why).contains("no TCP port"));
    }

    @Test
    void namesTooLongForADnsLabelWhenSuffixedAreInvalid() {
        String name58 = "a".repeat(58);
        assertThat(MirrorObjects.problem(remote(name58, port("p", "TCP", 80)), link)).isEmpty();
        assertThat(MirrorObjects.problem(remote(name58 + "b", port("p", "TCP", 80)), link)).hasValueSatisfying(
                why -> assertThat(why).contains("64 characters").contains("at most 63"));
    }

    @Test
    void portsOutOfRangeExternalNameAndNoPortsAreInvalid() {
        assertThat(MirrorObjects.problem(remote("x", port("p", "TCP", 0)), link)).get().asString()
                .contains("expected: 1-65535");
        assertThat(MirrorObjects.problem(remote("x", port("p", "TCP", 70000)), link)).isPresent();
        assertThat(MirrorObjects.problem(remote("x"), link)).get().asString().contains("no ports");
        Service external = remote("x", port("p", "TCP", 80));
        external.getSpec().setType("ExternalName");
        assertThat(MirrorObjects.problem(external, link)).get().asString().contains("ExternalName");
    }

    @Test
    void aMissingAllocationIsAProgrammingErrorThatNamesThePort() {
        assertThatThrownBy(() -> MirrorObjects.desiredService(remote("x", port("p", "TCP", 80)), link, Map.of()))
                .hasMessageContaining("service port 80");
    }

    @Test
    void sliceHasTheGatewayAddressesOnTheAllocatedPortsAndTheReadiness() {
        Service mirror = MirrorObjects.desiredService(remote("podinfo", port("http", "TCP", 9898), port(null, "TCP", 80)),
                link, new LinkedHashMap<>(Map.of(9898, 14000, 80, 14001)));
        EndpointSlice slice = MirrorObjects.desiredSlice(mirror, List.of("10.1.0.2", "10.1.0.1"), false, "east");

        assertThat(slice.getMetadata().getName()).isEqualTo("podinfo-east");
        assertThat(slice.getMetadata().getLabels()).containsEntry(Names.SERVICE_NAME_LABEL, "podinfo-east")
                .containsEntry(Names.MANAGED_BY_LABEL, "mirror.isthmus.dev")
                .containsEntry(Names.MIRRORED_SERVICE_LABEL, "true").containsEntry(Names.CLUSTER_NAME_LABEL, "east");
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getEndpoints()).extracting(e -> e.getAddresses().get(0)).containsExactly("10.1.0.1", "10.1.0.2");
        assertThat(slice.getEndpoints()).allSatisfy(e -> assertThat(e.getConditions().getReady()).isFalse());
        assertThat(slice.getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactlyInAnyOrder("http:" + mirror.getSpec().getPorts().get(0).getTargetPort().getIntVal(),
                        ":" + mirror.getSpec().getPorts().get(1).getTargetPort().getIntVal());
    }

    @Test
    void comparisonIgnoresServerDefaultsButSeesEveryOwnedField() {
        Service desired = MirrorObjects.desiredService(remote("podinfo", port("http", "TCP", 9898)), link, Map.of(9898, 14000));
        Service actual = new ServiceBuilder(desired).editMetadata().withUid("u").withResourceVersion("7").endMetadata()
                .editSpec().withClusterIP("10.0.0.1").withSessionAffinity("None").withIpFamilies("IPv4")
                .editFirstPort().withProtocol("TCP").endPort().endSpec().build();
        assertThat(MirrorObjects.sameService(desired, actual)).isTrue();

        assertThat(MirrorObjects.sameService(desired, new ServiceBuilder(actual).editMetadata()
                .addToLabels("extra", "x").endMetadata().build())).isFalse();
        assertThat(MirrorObjects.sameService(desired, new ServiceBuilder(actual).editSpec()
                .editFirstPort().withTargetPort(new IntOrString(14001)).endPort().endSpec().build())).isFalse();
        assertThat(MirrorObjects.sameService(desired, new ServiceBuilder(actual).editSpec()
                .withSelector(Map.of("app", "x")).endSpec().build())).isFalse();

        EndpointSlice slice = MirrorObjects.desiredSlice(desired, List.of("10.1.0.1"), true, "east");
        assertThat(MirrorObjects.sameSlice(slice, MirrorObjects.desiredSlice(desired, List.of("10.1.0.1"), true, "east"))).isTrue();
        assertThat(MirrorObjects.sameSlice(slice, MirrorObjects.desiredSlice(desired, List.of("10.1.0.1"), false, "east"))).isFalse();
        assertThat(MirrorObjects.sameSlice(slice, MirrorObjects.desiredSlice(desired, List.of("10.1.0.2"), true, "east"))).isFalse();
    }

    @Test
    void ownershipNeedsBothLabelsWithThisCluster() {
        assertThat(MirrorObjects.ownedBy(new ObjectMetaBuilder().withLabels(MirrorObjects.ownershipLabels("east")).build(), "east")).isTrue();
        assertThat(MirrorObjects.ownedBy(new ObjectMetaBuilder().withLabels(MirrorObjects.ownershipLabels("west")).build(), "east")).isFalse();
        assertThat(MirrorObjects.ownedBy(new ObjectMetaBuilder().addToLabels(Names.CLUSTER_NAME_LABEL, "east").build(), "east")).isFalse();
        assertThat(MirrorObjects.ownedBy(new ObjectMetaBuilder().build(), "east")).isFalse();
    }
}
