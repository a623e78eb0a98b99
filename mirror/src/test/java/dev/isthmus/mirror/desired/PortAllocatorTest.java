package dev.isthmus.mirror.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

    private static final PortRange RANGE = new PortRange(14000, 14009);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void newServiceTakesTheLowestFreePortsInServiceOrder() {
        assertThat(PortAllocator.allocate(List.of(9898, 8080), Map.of(), Set.of(14000, 14002), RANGE))
                .containsExactly(Map.entry(9898, 14001), Map.entry(8080, 14003));
    }

    @Test
    void keepsWhatItHoldsAndAddsOnlyTheNewPort() {
        assertThat(PortAllocator.allocate(List.of(80, 443, 9090), Map.of(80, 14005, 443, 14000), Set.of(), RANGE))
                .containsExactly(Map.entry(80, 14005), Map.entry(443, 14000), Map.entry(9090, 14001));
    }

    @Test
    void aRemovedServicePortReleasesItsGatewayPort() {
        assertThat(PortAllocator.allocate(List.of(443), Map.of(80, 14000, 443, 14001), Set.of(), RANGE))
                .containsExactly(Map.entry(443, 14001));
    }

    @Test
    void aHeldPortOutsideTheRangeIsReallocated() {
        assertThat(PortAllocator.allocate(List.of(80), Map.of(80, 20000), Set.of(), RANGE))
                .containsExactly(Map.entry(80, 14000));
    }

    @Test
    void duplicateServicePortsShareOneGatewayPort() {
        assertThat(PortAllocator.allocate(List.of(53, 53), Map.of(), Set.of(), RANGE))
                .containsExactly(Map.entry(53, 14000));
    }

    @Test
    void exhaustedRangeSaysHowToFixIt() {
        Set<Integer> all = Set.of(14000, 14001, 14002, 14003, 14004, 14005, 14006, 14007, 14008, 14009);
        assertThatThrownBy(() -> PortAllocator.allocate(List.of(80), Map.of(), all, RANGE))
                .isInstanceOf(PortAllocator.PortsExhaustedException.class)
                .hasMessageContaining("14000-14009").hasMessageContaining("--port-range");
    }

    @Test
    void aPortClaimedTwiceStaysWithTheOlderService() {
        PortClaim older = new PortClaim("a/x-east", T0, "uid-b", Map.of(80, 14000));
        PortClaim younger = new PortClaim("b/y-west", T0.plusSeconds(1), "uid-a", Map.of(80, 14000, 81, 14001));

        assertThat(PortAllocator.unavailableFor(older, List.of(older, younger))).containsExactly(14001);
        assertThat(PortAllocator.unavailableFor(younger, List.of(older, younger))).containsExactly(14000);
        assertThat(PortAllocator.allocate(List.of(80, 81), younger.ports(),
                PortAllocator.unavailableFor(younger, List.of(older, younger)), RANGE))
                .containsExactly(Map.entry(80, 14002), Map.entry(81, 14001));
    }

    @Test
    void sameCreationTimeIsDecidedByUid() {
        PortClaim a = new PortClaim("a/x", T0, "aaa", Map.of(80, 14000));
        PortClaim b = new PortClaim("b/y", T0, "bbb", Map.of(80, 14000));
        assertThat(PortAllocator.unavailableFor(a, List.of(a, b))).isEmpty();
        assertThat(PortAllocator.unavailableFor(b, List.of(a, b))).containsExactly(14000);
    }

    @Test
    void aServiceNotCreatedYetLosesEveryConflict() {
        PortClaim fresh = new PortClaim("a/new", null, null, Map.of(80, 14000));
        PortClaim existing = new PortClaim("b/old", T0, "u", Map.of(80, 14000));
        assertThat(PortAllocator.unavailableFor(fresh, List.of(existing))).containsExactly(14000);
    }

    @Test
    void portRangeParsingNamesTheExpectedForm() {
        assertThat(PortRange.parse("14000-15999")).isEqualTo(PortRange.DEFAULT);
        for (String bad : new String[] {"14000", "a-b", "0-10", "10-5", "1-70000", "", "1-2-3"}) {
            assertThatThrownBy(() -> PortRange.parse(bad)).hasMessageContaining("expected: first-last");
        }
    }
}
