package dev.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RouteFileTest {

    @Test
    void parsesTheDocumentedSchema() {
        RouteTable table = RouteFile.parse("""
                clusterDomain: east.example
                services:
                  - name: podinfo.test.svc.east.example
                    port: 9898
                    endpoints:
                      - 127.0.0.1:19898
                      - address: "[::1]:19899"
                        ready: false
                  - name: redis.test.svc.east.example
                    port: 6379
                    protocol: opaque
                """, "routes.yaml");

        ExportedService podinfo = table.exported("podinfo.test.svc.east.example", 9898);
        assertThat(podinfo.protocol()).isEqualTo(BackendProtocol.HTTP1);
        assertThat(podinfo.endpoints()).containsExactly(new Endpoint("127.0.0.1", 19898, true), new Endpoint("::1", 19899, false));
        assertThat(podinfo.readyEndpoints()).containsExactly(new Endpoint("127.0.0.1", 19898, true));
        assertThat(table.exported("redis.test.svc.east.example.", 6379).protocol()).isEqualTo(BackendProtocol.OPAQUE);
        assertThat(table.exported("podinfo.test.svc.east.example", 80)).isNull();
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void anEmptyFileIsAnEmptyTable() {
        assertThat(RouteFile.parse("", "routes.yaml").size()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "services: 5 | routes.yaml: services: is '5' (expected a list)",
        "services: [{port: 80}] | services[0].name: missing",
        "services: [{name: a.b.svc.cluster.local, port: 70000}] | services[0].port: '70000' (expected a port number: 1-65535)",
        "services: [{name: a.b.svc.cluster.local, port: http}] | services[0].port: 'http' (expected a port number",
        "services: [{name: a.b.svc.cluster.local, port: 80, protocol: grpc}] | services[0].protocol: 'grpc' (expected: http1, h2c or opaque)",
        "services: [{name: a.b.svc.cluster.local, port: 80, endpoints: [nope]}] | services[0].endpoints[0]: address 'nope' (expected host:port)",
        "services: [{name: a.b.svc.cluster.local, port: 80, endpoints: [{address: 'h:1', ready: maybe}]}] | services[0].endpoints[0].ready: 'maybe' (expected: true or false)",
        "services: [{name: a.b.svc.cluster.local, port: 80, weight: 3}] | services[0]: unknown key 'weight'",
        "services: [{name: a.b.svc.other.domain, port: 80}] | is outside this cluster (expected <service>.<namespace>.svc.cluster.local)",
        "services: [{name: a.b.svc.cluster.local, port: 80}, {name: a.b.svc.cluster.local, port: 80}] | a.b.svc.cluster.local:80 is listed twice",
        "servics: [] | unknown key 'servics'",
        "'{' | routes.yaml: not valid YAML",
        "'a: 1\na: 2' | not valid YAML",
    })
    void badFilesSayWhereAndWhatWasExpected(String yaml, String message) {
        assertThatThrownBy(() -> RouteFile.parse(yaml.replace("\\n", "\n"), "routes.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes.yaml: ")
                .hasMessageContaining(message);
    }

    @Test
    void refusesAnAliasBomb() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char p = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *")
                    .append(p).append(", *").append(p).append("]\n");
        }
        assertThatThrownBy(() -> RouteFile.parse(yaml.toString(), "bomb.yaml")).hasMessageContaining("bomb.yaml: not valid YAML");
    }

    @ParameterizedTest
    @CsvSource({
        "podinfo.east.svc.cluster.local, true",
        "podinfo.east.svc.cluster.local., true",
        "podinfo.svc.cluster.local, false",
        "a.b.c.svc.cluster.local, false",
        "podinfo.east.svc.cluster.local.evil.com, false",
        ".east.svc.cluster.local, false",
        "kubernetes.default.svc.other, false",
    })
    void namesOutsideTheClusterDomainAreNotLocal(String name, boolean local) {
        assertThat(RouteTable.EMPTY.isLocalServiceName(name)).isEqualTo(local);
    }
}
