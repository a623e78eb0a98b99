package dev.isthmus.mirror.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewaysTest {

    private static Service gateway(String... ipsOrHosts) {
        ServiceBuilder builder = new ServiceBuilder().withNewMetadata().withName("isthmus-gateway").endMetadata();
        var status = builder.withNewStatus().withNewLoadBalancer();
        for (String address : ipsOrHosts) {
            status = address.matches("[0-9.]+") ? status.addNewIngress().withIp(address).endIngress()
                    : status.addNewIngress().withHostname(address).endIngress();
        }
        return status.endLoadBalancer().endStatus().build();
    }

    @Test
    void followsTheLoadBalancerUnlessTheLinkNamesAddresses() {
        LinkSettings following = MirrorObjectsTest.link(List.of(), List.of());
        assertThat(Gateways.remoteAddresses(following, gateway("203.0.113.9", "gw.example.com", "203.0.113.7")))
                .containsExactly("203.0.113.7", "203.0.113.9", "gw.example.com");
        assertThat(Gateways.remoteAddresses(following, null)).isEmpty();
        assertThat(Gateways.remoteAddresses(following, gateway())).isEmpty();

        Link link = new Link();
        link.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("east").withNamespace("n").build());
        link.setSpec(new dev.isthmus.mirror.link.LinkSpec());
        link.getSpec().targetClusterName = "east";
        link.getSpec().clusterCredentialsSecret = "s";
        link.getSpec().gatewayAddress = " 198.51.100.1 ,, gw2.example.com";
        assertThat(Gateways.remoteAddresses(LinkSettings.of(link), gateway("203.0.113.7")))
                .containsExactly("198.51.100.1", "gw2.example.com");
    }

    private static EndpointSlice gatewaySlice(String addressType, Integer adminPort) {
        return slice(addressType, "mc-gateway", 4143, adminPort == null ? null : Names.ADMIN_PORT_NAME, adminPort);
    }

    private static EndpointSlice slice(String addressType, String portName, int port, String otherName, Integer other) {
        var builder = new EndpointSliceBuilder().withAddressType(addressType)
                .addNewEndpoint().withAddresses("10.0.0.2").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.0.0.1").endEndpoint()
                .addNewEndpoint().withAddresses("10.0.0.3").withNewConditions().withReady(false).endConditions().endEndpoint()
                .addNewPort().withName(portName).withPort(port).endPort();
        if (other != null) {
            builder.addNewPort().withName(otherName).withPort(other).endPort();
        }
        return builder.build();
    }

    @Test
    void localGatewayIsItsReadyIpv4EndpointsAndItsAdminPort() {
        List<EndpointSlice> slices = List.of(gatewaySlice("IPv4", 4191), gatewaySlice("IPv6", null));
        assertThat(Gateways.localAddresses(slices)).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(Gateways.adminLinksUrls(slices)).containsExactly(
                URI.create("http://10.0.0.2:4191/links"), URI.create("http://10.0.0.1:4191/links"));
        assertThat(Gateways.adminLinksUrls(List.of(gatewaySlice("IPv4", null)))).isEmpty();
    }

    /**
     * The LoadBalancer Service carries only mc-gateway now; the admin port is found on the ClusterIP Service's
     * slices (port {@code admin}), and still on an older installation's {@code mc-probe}, each pod polled once.
     */
    @Test
    void adminPortComesFromTheAdminServiceOrAnOlderInstallationsProbePort() {
        EndpointSlice loadBalancer = slice("IPv4", Names.GATEWAY_PORT_NAME, 4143, null, null);
        EndpointSlice admin = slice("IPv4", Names.ADMIN_PORT_NAME, 5191, null, null);
        assertThat(Gateways.adminLinksUrls(List.of(loadBalancer))).isEmpty();
        assertThat(Gateways.adminLinksUrls(List.of(loadBalancer, admin))).containsExactly(
                URI.create("http://10.0.0.2:5191/links"), URI.create("http://10.0.0.1:5191/links"));

        EndpointSlice older = slice("IPv4", Names.GATEWAY_PORT_NAME, 4143, Names.PROBE_PORT_NAME, 5191);
        assertThat(Gateways.adminLinksUrls(List.of(older))).containsExactly(
                URI.create("http://10.0.0.2:5191/links"), URI.create("http://10.0.0.1:5191/links"));
        assertThat(Gateways.adminLinksUrls(List.of(older, admin))).containsExactly(
                URI.create("http://10.0.0.2:5191/links"), URI.create("http://10.0.0.1:5191/links"));
    }

    @Test
    void readyEndpointsNeedAnAddressAndAReadyOrAbsentCondition() {
        assertThat(Gateways.hasReadyEndpoints(List.of())).isFalse();
        assertThat(Gateways.hasReadyEndpoints(List.of(gatewaySlice("IPv4", null)))).isTrue();
        assertThat(Gateways.hasReadyEndpoints(List.of(new EndpointSliceBuilder().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.0.0.3").withNewConditions().withReady(false).endConditions().endEndpoint()
                .build()))).isFalse();
    }
}
