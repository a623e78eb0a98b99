package dev.isthmus.gateway.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.identity.SpiffeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {

    static final SpiffeId EAST_GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final RemoteTarget EAST = remote("east");
    static final RemoteTarget NORTH = remote("north");
    static final ExportedService LOCAL = local(true);
    static final ExportedService LOCAL_NOT_READY = local(false);

    static RemoteTarget remote(String link) {
        return new RemoteTarget(link, List.of(new Endpoint("192.0.2.1", 4143, true)), EAST_GATEWAY,
                "podinfo.test.svc.cluster.local", 9898);
    }

    static ExportedService local(boolean ready) {
        return new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1,
                List.of(new Endpoint("10.0.0.7", 9898, ready)));
    }

    /** Every ticket once: the exact share each backend gets. */
    static Map<Backend, Integer> shares(List<WeightedBackend> backends, LinkHealth health, int total) {
        Map<Backend, Integer> shares = new HashMap<>();
        for (int ticket = 0; ticket < total; ticket++) {
            int fixed = ticket;
            Backend picked = BackendChoice.pick(backends, health, bound -> {
                assertThat(bound).isEqualTo(total);
                return fixed;
            });
            shares.merge(picked, 1, Integer::sum);
        }
        return shares;
    }

    @Test
    void eachBackendGetsItsWeightsShare() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 3));
        assertThat(shares(backends, LinkHealth.ALWAYS_ALIVE, 4)).containsExactlyInAnyOrderEntriesOf(Map.of(LOCAL, 1, EAST, 3));
    }

    @Test
    void aDeadLinksShareGoesToTheOthersInProportion() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 2),
                new WeightedBackend(NORTH, 3));
        LinkHealth eastDead = link -> !link.equals("east");
        assertThat(shares(backends, eastDead, 4)).containsExactlyInAnyOrderEntriesOf(Map.of(LOCAL, 1, NORTH, 3));
    }

    @Test
    void aLocalServiceWithoutReadyEndpointsTakesNothing() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL_NOT_READY, 5), new WeightedBackend(EAST, 1));
        assertThat(shares(backends, LinkHealth.ALWAYS_ALIVE, 1)).containsExactly(Map.entry(EAST, 1));
    }

    @Test
    void whenNoneCanTakeTrafficNoneIsPickedAndTheReasonSaysWhy() {
        Set<String> dead = Set.of("east");
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL_NOT_READY, 1), new WeightedBackend(EAST, 1),
                new WeightedBackend(LOCAL, 0));
        LinkHealth health = link -> !dead.contains(link);

        assertThat(BackendChoice.pick(backends, health, bound -> 0)).isNull();
        assertThat(BackendChoice.whyNone("podinfo-split:9898", backends, health)).isEqualTo(
                "no backend of podinfo-split:9898 can take traffic: podinfo.test.svc.cluster.local:9898 has no ready endpoint;"
                        + " podinfo.test.svc.cluster.local:9898 via link east is down;"
                        + " podinfo.test.svc.cluster.local:9898 has weight 0");
    }
}
