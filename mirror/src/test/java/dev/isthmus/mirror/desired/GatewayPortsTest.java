package dev.isthmus.mirror.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GatewayPortsTest {

    @Test
    void parsesAndFormatsInOrder() {
        Map<Integer, Integer> ports = GatewayPorts.parse("9898=14000, 8080=14001");
        assertThat(ports).containsExactly(Map.entry(9898, 14000), Map.entry(8080, 14001));
        assertThat(GatewayPorts.format(ports)).isEqualTo("9898=14000,8080=14001");
    }

    @Test
    void emptyAndAbsentMeanNoPorts() {
        assertThat(GatewayPorts.parse(null)).isEmpty();
        assertThat(GatewayPorts.parse(" ")).isEmpty();
        assertThat(GatewayPorts.format(new LinkedHashMap<>())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"9898", "9898=", "=14000", "a=b", "9898=14000,", "9898=14000=1", "0=14000",
        "9898=70000", "9898=-1", "80=14000,80=14001", "80=14000,81=14000", "99999999999=1"})
    void rejectsMalformedAnnotationsNamingTheExpectedForm(String annotation) {
        assertThatThrownBy(() -> GatewayPorts.parse(annotation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mirror.isthmus.dev/gateway-ports")
                .hasMessageContaining("expected: servicePort=gatewayPort");
    }
}
