package dev.isthmus.cli.multicluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.cli.UserException;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where {@code link} reads the target's admin port for the Link's {@code probeSpec.port}: the gateway's
 * LoadBalancer Service no longer publishes it, so its annotation says it; an older installation's
 * {@code mc-probe} port still counts.
 */
class LinkProbePortTest {

    private static int probePort(Service gateway) {
        LinkCommand command = new LinkCommand();
        command.clusterName = "east";
        command.clusterDomain = "cluster.local";
        command.trustDomain = "cluster.local";
        return command.link(gateway, null).getSpec().probeSpec.port;
    }

    private static ServiceBuilder gateway(Map<String, String> annotations) {
        return new ServiceBuilder().withNewMetadata().withName(Names.GATEWAY).withAnnotations(annotations).endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(4143).endPort()
                .endSpec();
    }

    @Test
    void theProbePortAnnotationGivesTheAdminPort() {
        assertThat(probePort(gateway(Map.of(MulticlusterManifests.PROBE_PORT_ANNOTATION, "5191")).build())).isEqualTo(5191);
    }

    @Test
    void anOlderInstallationsProbePortOnTheServiceStillCounts() {
        Service older = gateway(Map.of()).editSpec().addNewPort().withName(Names.PROBE_PORT_NAME).withPort(6191).endPort()
                .endSpec().build();
        assertThat(probePort(older)).isEqualTo(6191);
    }

    @Test
    void withNeitherTheDefaultAdminPort() {
        assertThat(probePort(gateway(Map.of()).build())).isEqualTo(Names.ADMIN_PORT);
        assertThat(probePort(null)).isEqualTo(Names.ADMIN_PORT);
    }

    @Test
    void aProbePortAnnotationThatIsNoPortIsRefused() {
        for (String hostile : new String[] {"0", "65536", "-1", "4191x", "", " ", "99999999999", "http://x"}) {
            assertThatThrownBy(() -> probePort(gateway(Map.of(MulticlusterManifests.PROBE_PORT_ANNOTATION, hostile)).build()))
                    .as(hostile).isInstanceOf(UserException.class)
                    .hasMessage("the gateway Service isthmus-multicluster/isthmus-gateway annotation mirror.isthmus.dev/probe-port: "
                            + hostile + " (expected: a port, 1-65535)");
        }
    }
}
