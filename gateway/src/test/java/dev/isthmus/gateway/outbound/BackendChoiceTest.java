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

    /** {@code picks} picks in a row: the share each backend gets. */
    static Map<Backend, Integer> shares(BackendChoice choice, List<WeightedBackend> backends, LinkHealth health, int picks) {
        Map<Backend, Integer> shares = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            shares.merge(choice.pick(backends, health), 1, Integer::sum);
        }
        return shares;
    }

    @Test
    void everyRunOfPicksGivesEachBackendItsWeightsShareExactly() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 3));
        BackendChoice choice = new BackendChoice();
        for (int cycle = 0; cycle < 250; cycle++) {
            assertThat(shares(choice, backends, LinkHealth.ALWAYS_ALIVE, 4))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(LOCAL, 1, EAST, 3));
        }
    }

    @Test
    void aFiftyFiftySplitAlternatesRatherThanBursting() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL, 50), new WeightedBackend(EAST, 50));
        BackendChoice choice = new BackendChoice();
        Backend previous = choice.pick(backends, LinkHealth.ALWAYS_ALIVE);
        for (int i = 0; i < 999; i++) {
            Backend next = choice.pick(backends, LinkHealth.ALWAYS_ALIVE);
            assertThat(next).isNotSameAs(previous);
            previous = next;
        }
    }

    @Test
    void aDeadLinksShareGoesToTheOthersInProportion() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 2),
                new WeightedBackend(NORTH, 3));
        LinkHealth eastDead = link -> !link.equals("east");
        assertThat(shares(new BackendChoice(), backends, eastDead, 400))
                .containsExactlyInAnyOrderEntriesOf(Map.of(LOCAL, 100, NORTH, 300));
    }

    @Test
    void aLinkThatComesBackGetsItsShareFromThenOnNotWhatItMissed() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 1));
        BackendChoice choice = new BackendChoice();
        shares(choice, backends, link -> false, 100);
        assertThat(shares(choice, backends, LinkHealth.ALWAYS_ALIVE, 10))
                .containsExactlyInAnyOrderEntriesOf(Map.of(LOCAL, 5, EAST, 5));
    }

    @Test
    void aNewRouteTableStartsTheRotationAfresh() {
        BackendChoice choice = new BackendChoice();
        shares(choice, List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 2)), LinkHealth.ALWAYS_ALIVE, 1);
        List<WeightedBackend> changed = List.of(new WeightedBackend(LOCAL, 1), new WeightedBackend(EAST, 1),
                new WeightedBackend(NORTH, 2));
        assertThat(shares(choice, changed, LinkHealth.ALWAYS_ALIVE, 4))
                .containsExactlyInAnyOrderEntriesOf(Map.of(LOCAL, 1, EAST, 1, NORTH, 2));
    }

    @Test
    void aLocalServiceWithoutReadyEndpointsTakesNothing() {
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL_NOT_READY, 5), new WeightedBackend(EAST, 1));
        assertThat(shares(new BackendChoice(), backends, LinkHealth.ALWAYS_ALIVE, 3)).containsExactly(Map.entry(EAST, 3));
    }

    @Test
    void whenNoneCanTakeTrafficNoneIsPickedAndTheReasonSaysWhy() {
        Set<String> dead = Set.of("east");
        List<WeightedBackend> backends = List.of(new WeightedBackend(LOCAL_NOT_READY, 1), new WeightedBackend(EAST, 1),
                new WeightedBackend(LOCAL, 0));
        LinkHealth health = link -> !dead.contains(link);

        assertThat(new BackendChoice().pick(backends, health)).isNull();
        assertThat(BackendChoice.whyNone("podinfo-split:9898", backends, health)).isEqualTo(
                "no backend of podinfo-split:9898 can take traffic: podinfo.test.svc.cluster.local:9898 has no ready endpoint;"
                        + " podinfo.test.svc.cluster.local:9898 via link east is down;"
                        + " podinfo.test.svc.cluster.local:9898 has weight 0");
    }
}
