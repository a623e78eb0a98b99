package dev.isthmus.cli.multicluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import org.junit.jupiter.api.Test;

/** Which ports of a target's gateway Service lead from outside the cluster to the gateway's admin port. */
class PublishedAdminPortsTest {

    private static Service service(String type, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withName(Names.GATEWAY).endMetadata()
                .withNewSpec().withType(type).withPorts(ports).endSpec().build();
    }

    private static ServicePort port(String name, Integer port, IntOrString target) {
        return new ServicePortBuilder().withName(name).withPort(port).withTargetPort(target).build();
    }

    private static final ServicePort MTLS = port(Names.GATEWAY_PORT_NAME, 4143, new IntOrString(Names.GATEWAY_PORT_NAME));

    @Test
    void todaysLoadBalancerPublishesNone() {
        assertThat(MulticlusterCheckCommand.publishedAdminPorts(service("LoadBalancer", MTLS))).isEmpty();
    }

    @Test
    void anOlderInstallationsProbePortAndAnyPortAimedAtTheAdminPortAreFound() {
        assertThat(MulticlusterCheckCommand.publishedAdminPorts(service("LoadBalancer", MTLS,
                port(Names.PROBE_PORT_NAME, 4191, new IntOrString(Names.ADMIN_PORT_NAME))))).containsExactly("mc-probe 4191");
        assertThat(MulticlusterCheckCommand.publishedAdminPorts(service("NodePort", MTLS,
                port("metrics", 9000, new IntOrString(4191)), port(null, 4191, null)))).containsExactly("metrics 9000", "port 4191");
    }

    @Test
    void aClusterIpServiceOrOneWithoutPortsPublishesNothing() {
        assertThat(MulticlusterCheckCommand.publishedAdminPorts(service("ClusterIP", MTLS,
                port(Names.PROBE_PORT_NAME, 4191, new IntOrString(Names.ADMIN_PORT_NAME))))).isEmpty();
        assertThat(MulticlusterCheckCommand.publishedAdminPorts(service("LoadBalancer"))).isEmpty();
        assertThat(MulticlusterCheckCommand.publishedAdminPorts(new ServiceBuilder().build())).isEmpty();
    }
}
