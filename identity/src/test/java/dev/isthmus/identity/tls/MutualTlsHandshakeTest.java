package dev.isthmus.identity.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.testing.TestPki.Workload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Full TLS 1.3 handshakes between two {@link EmbeddedChannel}s with the identity trust manager on both
 * sides: peers are named by SPIFFE identity, and no hostname check gets in the way although the client
 * sends an SNI that is in no certificate.
 */
class MutualTlsHandshakeTest {

    private static TestPki pki;
    private static Workload west;
    private static Workload east;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create();
        west = pki.workload("isthmus-multicluster", "isthmus-gateway-west");
        east = pki.workload("isthmus-multicluster", "isthmus-gateway");
    }

    @ParameterizedTest
    @EnumSource(names = {"JDK", "OPENSSL"})
    void peersWithTheExpectedIdentitiesConnect(SslProvider provider) throws Exception {
        assumeProvider(provider);
        SslHandler client = client(provider, IdentityTrustManager.exactly(pki.anchors(), east.identity(), pki.clock()));
        SslHandler server = server(provider, IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock()));

        handshake(client, server);

        assertThat(client.handshakeFuture().cause()).isNull();
        assertThat(server.handshakeFuture().cause()).isNull();
        assertThat(client.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(PeerIdentities.of((X509Certificate) client.engine().getSession().getPeerCertificates()[0]))
                .isEqualTo(east.identity());
        assertThat(PeerIdentities.of((X509Certificate) server.engine().getSession().getPeerCertificates()[0]))
                .isEqualTo(west.identity());
    }

    @ParameterizedTest
    @EnumSource(names = {"JDK", "OPENSSL"})
    void aClientRefusesAServerWithAnotherIdentity(SslProvider provider) throws Exception {
        assumeProvider(provider);
        SslHandler client = client(provider, IdentityTrustManager.exactly(pki.anchors(), west.identity(), pki.clock()));
        SslHandler server = server(provider, IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock()));

        handshake(client, server);

        assertThat(client.handshakeFuture().cause())
                .isInstanceOf(SSLException.class)
                .rootCause()
                .hasMessage("peer identity " + east.identity() + " is not accepted (expected: " + west.identity() + ")");
        assertThat(server.handshakeFuture().isSuccess()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(names = {"JDK", "OPENSSL"})
    void aServerRefusesAClientFromAnotherAnchor(SslProvider provider) throws Exception {
        assumeProvider(provider);
        TestPki stranger = TestPki.create();
        SslHandler client = client(provider, stranger.workload(west.identity()),
                IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock()));
        SslHandler server = server(provider, IdentityTrustManager.trustDomain(pki.anchors(), "cluster.local", pki.clock()));

        handshake(client, server);

        assertThat(server.handshakeFuture().cause())
                .isInstanceOf(SSLException.class)
                .rootCause()
                .hasMessage("Path does not chain with any of the trust anchors");
        // In TLS 1.3 the client finishes before the server has judged its certificate; it learns from the alert.
    }

    private static void assumeProvider(SslProvider provider) {
        assumeThat(provider == SslProvider.JDK || OpenSsl.isAvailable())
                .as("netty-tcnative is available: %s", OpenSsl.unavailabilityCause()).isTrue();
    }

    private static SslHandler client(SslProvider provider, X509ExtendedTrustManager trust) throws SSLException {
        return client(provider, west, trust);
    }

    private static SslHandler client(SslProvider provider, Workload self, X509ExtendedTrustManager trust) throws SSLException {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols("TLSv1.3")
                .keyManager(self.keys().getPrivate(), self.chain())
                .trustManager(trust)
                .build();
        return context.newHandler(ByteBufAllocator.DEFAULT, "gateway.east.example", 4143);
    }

    private static SslHandler server(SslProvider provider, X509ExtendedTrustManager trust) throws SSLException {
        SslContext context = SslContextBuilder.forServer(east.keys().getPrivate(), east.chain())
                .sslProvider(provider)
                .protocols("TLSv1.3")
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(trust)
                .build();
        return context.newHandler(ByteBufAllocator.DEFAULT);
    }

    /** Copies each side's output to the other until both handshakes end or nothing moves. */
    private static void handshake(SslHandler clientHandler, SslHandler serverHandler) {
        EmbeddedChannel client = new EmbeddedChannel(clientHandler);
        EmbeddedChannel server = new EmbeddedChannel(serverHandler);
        try {
            for (int round = 0; round < 20; round++) {
                boolean moved = copy(client, server) | copy(server, client);
                if (!moved && clientHandler.handshakeFuture().isDone() && serverHandler.handshakeFuture().isDone()) {
                    break;
                }
                if (!moved && round > 0) {
                    break;
                }
            }
        } finally {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }

    private static boolean copy(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (ByteBuf bytes; (bytes = from.readOutbound()) != null; ) {
            moved = true;
            if (!to.isOpen()) {
                bytes.release();
                continue;
            }
            try {
                to.writeInbound(bytes);
            } catch (DecoderException e) {
                // a failed handshake: its future holds the cause, which the tests check
            }
        }
        from.runPendingTasks();
        return moved;
    }
}
