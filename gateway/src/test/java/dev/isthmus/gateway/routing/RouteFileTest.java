package dev.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.identity.SpiffeId;
import java.util.List;
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
    void parsesOutboundRoutesWithRemoteAndLocalBackends() {
        RouteTable table = RouteFile.parse("""
                outbound:
                  - port: 4180
                    name: podinfo-east.test.svc.cluster.local:9898
                    backends:
                      - remote:
                          link: east
                          gateways: [203.0.113.7:4143, "[2001:db8::7]:4143"]
                          identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                          service: podinfo.test.svc.cluster.local
                          port: 9898
                  - port: 4181
                    name: podinfo-split.test.svc.cluster.local:9898
                    protocol: opaque
                    backends:
                      - weight: 3
                        local:
                          name: podinfo.test.svc.cluster.local
                          port: 9898
                          protocol: h2c
                          endpoints: [10.0.0.9:9898]
                      - weight: 1
                        remote: {link: east, gateways: [203.0.113.7:4143],
                                 identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway,
                                 service: podinfo.test.svc.cluster.local, port: 9898}
                """, "routes.yaml");

        RemoteTarget east = new RemoteTarget("east",
                List.of(new Endpoint("203.0.113.7", 4143, true), new Endpoint("2001:db8::7", 4143, true)),
                SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"),
                "podinfo.test.svc.cluster.local", 9898);
        assertThat(table.outbound(4180)).isEqualTo(OutboundRoute.mirror(4180, "podinfo-east.test.svc.cluster.local:9898", east));
        OutboundRoute split = table.outbound(4181);
        assertThat(split.protocol()).isEqualTo(ClientProtocol.OPAQUE);
        assertThat(split.backends()).extracting(WeightedBackend::weight).containsExactly(3, 1);
        assertThat(split.backends().get(0).backend()).isEqualTo(new ExportedService("podinfo.test.svc.cluster.local", 9898,
                BackendProtocol.H2C, List.of(new Endpoint("10.0.0.9", 9898, true))));
        assertThat(((RemoteTarget) split.backends().get(1).backend()).gateways()).containsExactly(new Endpoint("203.0.113.7", 4143, true));
        assertThat(table.outboundRoutes()).containsOnlyKeys(4180, 4181);
        assertThat(table.size()).as("outbound routes export nothing").isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "outbound: [{name: a, backends: []}] | outbound[0].port: missing",
        "outbound: [{port: 80, backends: []}] | outbound[0].name: missing",
        "outbound: [{port: 80, name: a, backends: []}] | outbound[0]: outbound route a has no backends (expected at least one)",
        "outbound: [{port: 80, name: a, protocol: tls, backends: []}] | outbound[0].protocol: 'tls' (expected: detect, http, http1, h2c or opaque)",
        "outbound: [{port: 80, name: a, backends: [{weight: 1}]}] | outbound[0].backends[0]: has neither 'local' and 'remote' (expected exactly one)",
        "outbound: [{port: 80, name: a, backends: [{local: {name: x, port: 1}, remote: {}}]}] | outbound[0].backends[0]: has both 'local' and 'remote' (expected exactly one)",
        "outbound: [{port: 80, name: a, backends: [{weight: -1, local: {name: x, port: 1}}]}] | outbound[0].backends[0].weight: '-1' (expected a positive whole number)",
        "outbound: [{port: 80, name: a, backends: [{remote: {link: e, gateways: [], identity: 'spiffe://cluster.local/ns/a/sa/b', service: s, port: 1}}]}] | outbound[0].backends[0].remote.gateways: is empty (expected at least one host:port of the remote gateway)",
        "outbound: [{port: 80, name: a, backends: [{remote: {link: e, gateways: [nope], identity: 'spiffe://cluster.local/ns/a/sa/b', service: s, port: 1}}]}] | outbound[0].backends[0].remote.gateways[0]: address 'nope' (expected host:port)",
        "outbound: [{port: 80, name: a, backends: [{remote: {link: e, gateways: ['h:1'], identity: gateway, service: s, port: 1}}]}] | outbound[0].backends[0].remote.identity: 'gateway' (expected spiffe://<trust-domain>/ns/<ns>/sa/<sa>)",
        "outbound: [{port: 80, name: a, backends: [{remote: {link: e, gateways: ['h:1'], identity: 'spiffe://cluster.local/ns/a/sa/b', service: s}}]}] | outbound[0].backends[0].remote.port: missing",
        "outbound: [{port: 80, name: a, backends: [{remote: {link: e, gateway: 'h:1'}}]}] | outbound[0].backends[0].remote: unknown key 'gateway'",
        "outbound: [{port: 80, name: a, backends: [{local: {name: x, port: 1}}]}, {port: 80, name: b, backends: [{local: {name: x, port: 1}}]}] | outbound routes a and b both claim port 80 (expected one route per listener port)",
    })
    void badOutboundRoutesSayWhereAndWhatWasExpected(String yaml, String message) {
        assertThatThrownBy(() -> RouteFile.parse(yaml, "routes.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes.yaml: ")
                .hasMessageContaining(message);
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
        "PODINFO.East.SVC.Cluster.Local, true",
    })
    void namesOutsideTheClusterDomainAreNotLocal(String name, boolean local) {
        assertThat(RouteTable.EMPTY.isLocalServiceName(name)).isEqualTo(local);
    }

    @Test
    void serviceNamesAreLookedUpAsDnsComparesThemInAnyLetterCase() {
        ExportedService podinfo = new ExportedService("podinfo.test.svc.cluster.local", 9898, BackendProtocol.HTTP1, List.of());
        RouteTable table = new RouteTable("cluster.local", List.of(podinfo));
        assertThat(table.exported("PODINFO.test.svc.cluster.local", 9898)).isSameAs(podinfo);
        assertThat(table.exported("Podinfo.Test.Svc.Cluster.Local.", 9898)).isSameAs(podinfo);
        assertThatThrownBy(() -> new RouteTable("cluster.local", List.of(podinfo,
                new ExportedService("PODINFO.test.svc.cluster.local", 9898, BackendProtocol.HTTP1, List.of()))))
                .hasMessageContaining("is listed twice");
    }
}
