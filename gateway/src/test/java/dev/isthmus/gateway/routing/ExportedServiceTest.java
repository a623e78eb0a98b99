package dev.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExportedServiceTest {

    private static final Endpoint A = new Endpoint("10.0.0.1", 80, true);
    private static final Endpoint B = new Endpoint("10.0.0.2", 80, false);
    private static final Endpoint C = new Endpoint("10.0.0.3", 80, true);

    private static ExportedService service(Endpoint... endpoints) {
        return new ExportedService("web.ns.svc.cluster.local", 80, BackendProtocol.HTTP1, List.of(endpoints));
    }

    @Test
    void readyEndpointsLeaveOutTheOnesNotReadyInTheirOrder() {
        assertThat(service(A, B, C).readyEndpoints()).containsExactly(A, C);
        assertThat(service(B).readyEndpoints()).isEmpty();
        assertThat(service().readyEndpoints()).isEmpty();
    }

    @Test
    void whenAllAreReadyTheEndpointsThemselvesAreAnswered() {
        ExportedService service = service(A, C);
        assertThat(service.readyEndpoints()).containsExactly(A, C).isSameAs(service.endpoints());
    }

    @Test
    void theReadyEndpointsCannotBeChangedByWhoeverAsked() {
        assertThatThrownBy(() -> service(A, B).readyEndpoints().add(C)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> service(A).readyEndpoints().add(C)).isInstanceOf(UnsupportedOperationException.class);
    }
}
