package dev.isthmus.gateway.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway file's {@code tls.keyExchange} on west's outbound side: west's probe of east (the same connector its traffic
 * dials with) offers west's list, and reaches east only when that list and east's share a group.
 */
class KeyExchangeIT {

    @Test
    void westReachesEastOnlyWhenTheirKeyExchangesShareAGroup() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        TestPki pki = TestPki.create();
        TrustAnchors anchors = pki.anchors();
        CertificateAuthority issuer = pki.newIssuer();
        int[] ports = CrossClusterIT.freePorts(2);
        int eastPort = ports[0];
        RouteTable westRoutes = new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(ports[1], "podinfo", new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", eastPort, true)),
                        FailoverIT.EAST_ID, FailoverIT.SERVICE, 9898))));

        try (Gateway east = FailoverIT.gateway(FailoverIT.EAST_ID, issuer, anchors, eastPort, RouteTable.EMPTY,
                KeyExchange.of(List.of("X25519")))) {
            try (Gateway west = FailoverIT.gateway(FailoverIT.WEST_ID, issuer, anchors, 0, westRoutes,
                    KeyExchange.of(List.of("P-384")))) {
                FailoverIT.await(() -> west.probes().status("east").map(s -> s.probed()).orElse(false), "east probed");
                Thread.sleep(500); // five more probes
                assertThat(west.probes().alive("east")).as("no group in common: no handshake").isFalse();
                assertThat(west.probes().status("east").orElseThrow().lastError()).as("what west's log says")
                        .contains("ALERT_HANDSHAKE_FAILURE", "no key exchange in common: compare their tls.keyExchange");
                assertThat(east.metrics().registry().get("isthmus.gateway.handshake.failures")
                        .tag("reason", "no_shared_key_exchange").counter().count()).as("what east counts").isPositive();
            }
            try (Gateway west = FailoverIT.gateway(FailoverIT.WEST_ID, issuer, anchors, 0, westRoutes,
                    KeyExchange.of(List.of("P-384", "X25519")))) {
                FailoverIT.await(() -> west.probes().alive("east"), "east probed alive over X25519, west's second choice");
            }
        }
    }
}
