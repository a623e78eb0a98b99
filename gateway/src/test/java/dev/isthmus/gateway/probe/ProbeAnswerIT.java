package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.probe.ProbeGet.Reply;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.testing.MtlsClient.Collector;
import dev.isthmus.gateway.transport.ProbeTarget;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The inbound gateway answers the probe target itself, over real mTLS, to the peers its policy lets in. */
class ProbeAnswerIT {

    static TestPki pki;
    static MtlsClient client;
    static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        client = new MtlsClient();
        gateway = new GatewayHarness(pki, RouteTable.EMPTY, b -> {});
    }

    @AfterAll
    static void stop() {
        gateway.close();
        client.close();
    }

    static Reply ask(SessionProtocol protocol, HttpMethod method, String path) throws Exception {
        return ProbeGet.request(client, gateway.port(), pki.leaf(TestPki.PEER), pki, ProbeTarget.header(protocol), method, path);
    }

    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void readyAndLiveAnswer200NamingTheGateway(SessionProtocol protocol) throws Exception {
        assertThat(ask(protocol, HttpMethod.GET, "/ready")).isEqualTo(new Reply(200, TestPki.GATEWAY + "\n"));
        assertThat(ask(protocol, HttpMethod.GET, "/live")).isEqualTo(new Reply(200, TestPki.GATEWAY + "\n"));
    }

    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void anythingElseIs404(SessionProtocol protocol) throws Exception {
        Reply otherPath = ask(protocol, HttpMethod.GET, "/metrics");
        assertThat(otherPath.status()).isEqualTo(404);
        assertThat(otherPath.body()).contains("GET /metrics is not a probe (expected: GET /ready or GET /live)");
        assertThat(ask(protocol, HttpMethod.POST, "/ready").status()).isEqualTo(404);
    }

    @Test
    void theProbeIsCountedAsARequestToItsTarget() throws Exception {
        double before = gateway.count("isthmus.gateway.requests", "target", "probe.isthmus.gateway:4191", "status_class", "2xx");
        ask(SessionProtocol.HTTP1, HttpMethod.GET, "/ready");

        assertThat(gateway.awaitCount(before + 1, "isthmus.gateway.requests", "target", "probe.isthmus.gateway:4191",
                "status_class", "2xx", "peer", TestPki.PEER.toString())).isEqualTo(before + 1);
    }

    @Test
    void anOpaqueSessionToTheProbeIsClosed() throws Exception {
        double before = gateway.count("isthmus.gateway.sessions.rejected", "reason", "not_exported");
        Channel session = client.session(gateway.port(), pki.leaf(TestPki.PEER), pki, ProbeTarget.header(SessionProtocol.OPAQUE));

        assertThat(Collector.awaitClose(session, 10)).isTrue();
        assertThat(Collector.of(session).received()).isEmpty();
        assertThat(gateway.awaitCount(before + 1, "isthmus.gateway.sessions.rejected", "reason", "not_exported")).isEqualTo(before + 1);
    }

    @Test
    void aPeerOutsideThePolicyGetsNoAnswer() throws Exception {
        SpiffeId onlyThis = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/somebody-else");
        try (GatewayHarness strict = new GatewayHarness(pki, RouteTable.EMPTY,
                b -> b.policy(new AuthorizationPolicy("cluster.local", Set.of(onlyThis), Set.of(), Set.of())))) {
            assertThatThrownBy(() -> ProbeGet.request(client, strict.port(), pki.leaf(TestPki.PEER), pki,
                    ProbeTarget.header(SessionProtocol.HTTP1), HttpMethod.GET, "/ready"))
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("the gateway closed the connection");
            assertThat(strict.awaitCount(1, "isthmus.gateway.sessions.rejected", "reason", "unauthorized")).isEqualTo(1);
        }
    }
}
