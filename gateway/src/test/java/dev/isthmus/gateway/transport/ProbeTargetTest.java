package dev.isthmus.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.routing.RouteTable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeTargetTest {

    @ParameterizedTest
    @CsvSource({
        "probe.isthmus.gateway,  4191, true",
        "probe.isthmus.gateway., 4191, true",
        "probe.isthmus.gateway,  4143, false",
        "probe.isthmus.gateway.svc.cluster.local, 4191, false",
        "isthmus.gateway,        4191, false",
    })
    void onlyTheReservedNameAndPortAreTheProbe(String name, int port, boolean probe) {
        assertThat(ProbeTarget.matches(new TransportHeader(name, port, SessionProtocol.HTTP2))).isEqualTo(probe);
    }

    @ParameterizedTest
    @CsvSource({"cluster.local", "gateway", "isthmus.gateway"})
    void theProbeNameIsNeverAServiceName(String clusterDomain) {
        assertThat(new RouteTable(clusterDomain, java.util.List.of()).isLocalServiceName(ProbeTarget.NAME)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"/ready, true", "/live, true", "/ready?verbose=1, true", "/ready/, false", "/, false", "/metrics, false"})
    void onlyReadyAndLiveAreAnswered(String uri, boolean answered) {
        assertThat(ProbeTarget.answers(uri)).isEqualTo(answered);
    }
}
