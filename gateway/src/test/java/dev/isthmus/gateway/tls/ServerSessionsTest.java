package dev.isthmus.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.identity.testing.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session tickets between the gateway's own client and server contexts, with BoringSSL, over a handshake
 * between two {@link EmbeddedChannel}s.
 */
class ServerSessionsTest {

    private static final TestPki pki = TestPki.create();

    private SslContext server;
    private SslContext client;

    @BeforeAll
    static void boringSsl() {
        assumeTrue(OpenSsl.isAvailable() && OpenSsl.versionString().contains("BoringSSL"), "BoringSSL (netty-tcnative) is not available here");
    }

    @BeforeEach
    void contexts() throws Exception {
        server = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), SslProvider.OPENSSL, Clock.systemUTC());
        client = TlsContexts.client(pki.leaf(TestPki.PEER), pki.anchors(), TestPki.GATEWAY, SslProvider.OPENSSL, Clock.systemUTC());
    }

    @Test
    void theGatewaysClientResumesAndTheServerStillKnowsThePeer() throws Exception {
        Connection first = connect();
        Connection second = connect();
        Connection third = connect();

        assertThat(first.resumed).isFalse();
        assertThat(second.resumed).as("second connection resumed").isTrue();
        assertThat(third.resumed).as("third connection resumed with the second's ticket").isTrue();
        assertThat(((X509Certificate) third.serverPeerLeaf).getSubjectAlternativeNames().toString())
                .as("the peer's identity, which HandshakeOutcome authorizes, on a resumed session")
                .contains(TestPki.PEER.toString());
    }

    @Test
    void theServerKeepsNoSessionCacheEvenWhereTheJvmFlagIsMissing() {
        assertThat(System.getProperty("io.netty.handler.ssl.openssl.sessionCacheServer")).isNull();

        assertThat(((OpenSslSessionContext) server.sessionContext()).isSessionCacheEnabled()).isFalse();
    }

    private record Connection(io.netty.util.concurrent.Future<?> serverHandshake, boolean resumed, Object serverPeerLeaf) {}

    /**
     * One handshake as the dialer makes it (the peer's name and port, so the client's session cache applies), then
     * a byte each way, which also carries the tickets BoringSSL sends after the handshake.
     */
    private Connection connect() {
        SslHandler clientTls = client.newHandler(ByteBufAllocator.DEFAULT, TestPki.GATEWAY.dnsName(), 4143);
        SslHandler serverTls = server.newHandler(ByteBufAllocator.DEFAULT);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientTls);
        EmbeddedChannel serverSide = new EmbeddedChannel(serverTls);
        try {
            shuttle(clientSide, serverSide);
            serverSide.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
            clientSide.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
            shuttle(clientSide, serverSide);
            assertThat(clientTls.handshakeFuture().isSuccess()).as("client handshake").isTrue();
            boolean resumed = SSL.isSessionReused(((ReferenceCountedOpenSslEngine) clientTls.engine()).sslPointer());
            Object leaf;
            try {
                leaf = serverTls.engine().getSession().getPeerCertificates()[0];
            } catch (Exception e) {
                leaf = null;
            }
            return new Connection(serverTls.handshakeFuture(), resumed, leaf);
        } finally {
            clientSide.finishAndReleaseAll();
            serverSide.finishAndReleaseAll();
        }
    }

    private static void shuttle(EmbeddedChannel client, EmbeddedChannel server) {
        for (int round = 0; round < 10; round++) {
            boolean moved = false;
            for (Object bytes; (bytes = client.readOutbound()) != null; moved = true) {
                server.writeInbound(bytes);
            }
            for (Object bytes; (bytes = server.readOutbound()) != null; moved = true) {
                client.writeInbound(bytes);
            }
            releaseInbound(client);
            releaseInbound(server);
            if (!moved) {
                return;
            }
        }
    }

    private static void releaseInbound(EmbeddedChannel channel) {
        for (Object read; (read = channel.readInbound()) != null; ) {
            ((ByteBuf) read).release();
        }
    }
}
