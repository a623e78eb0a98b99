package dev.isthmus.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.testing.TlsRecords;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.testkit.SettableClock;
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
import java.security.cert.CertificateExpiredException;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resumption between the gateway's own client context and its inbound side ({@link ServerTls}), with BoringSSL and
 * with the JDK's TLS (the fallback), over handshakes between two {@link EmbeddedChannel}s. The client connects as
 * the dialer does (naming the peer and its port), so its session cache would offer a ticket if it had one.
 */
class ServerSessionsTest {

    private static final TestPki pki = TestPki.create();

    private final CertifiedKey peer = pki.leaf(TestPki.PEER);
    /**
     * The server's clock, which its trust manager checks certificates against; a test moves it. It starts after the peer's
     * leaf is issued: the leaf is valid from its issue time cut to the second, and a clock read before it, across a second
     * boundary, found it not yet valid (a fresh-clone run failed the first handshake so, on a slow first issuance).
     */
    private final SettableClock serverClock = SettableClock.startingNow();
    private ServerTls server;
    private SslContext client;

    /** Server and client contexts of {@code provider}; BoringSSL's only where netty-tcnative loads. */
    void contexts(SslProvider provider) throws Exception {
        if (provider == SslProvider.OPENSSL) {
            assumeTrue(OpenSsl.isAvailable() && OpenSsl.versionString().contains("BoringSSL"), "BoringSSL (netty-tcnative) is not available");
        }
        server = new ServerTls(provider, Duration.ofSeconds(10), serverClock);
        server.update(pki.leaf(TestPki.GATEWAY), pki.anchors());
        client = TlsContexts.client(peer, pki.anchors(), TestPki.GATEWAY, provider, Clock.systemUTC());
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aPeerWhoseCertificateExpiredSinceItsLastConnectionIsRefused(SslProvider provider) throws Exception {
        contexts(provider);
        Connection before = connect();
        serverClock.set(peer.notAfter().plusSeconds(60));

        Connection after = connect();

        assertThat(before.serverSucceeded).isTrue();
        assertThat(after.resumed).as("resumed, past the trust manager").isFalse();
        assertThat(after.serverSucceeded).as("handshake of the expired peer").isFalse();
        assertThat(after.serverFailure).hasRootCauseInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void everyConnectionIsAFullHandshake() throws Exception {
        contexts(SslProvider.OPENSSL);
        for (int i = 0; i < 3; i++) {
            Connection connection = connect();
            assertThat(connection.serverSucceeded).isTrue();
            assertThat(connection.resumed).as("connection %d resumed", i).isFalse();
        }
    }

    @Test
    void theServerKeepsNoSessionCacheEvenWhereTheJvmFlagIsMissing() throws Exception {
        assumeTrue(OpenSsl.isAvailable() && OpenSsl.versionString().contains("BoringSSL"), "BoringSSL (netty-tcnative) is not available");
        assertThat(System.getProperty("io.netty.handler.ssl.openssl.sessionCacheServer")).isNull();

        SslContext context = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), SslProvider.OPENSSL, serverClock);

        assertThat(((OpenSslSessionContext) context.sessionContext()).isSessionCacheEnabled()).isFalse();
    }

    private record Connection(boolean serverSucceeded, Throwable serverFailure, boolean resumed) {}

    /** One handshake, then a byte each way, which also carries whatever BoringSSL sends after the handshake. */
    private Connection connect() {
        SslHandler clientTls = client.newHandler(ByteBufAllocator.DEFAULT, TestPki.GATEWAY.dnsName(), 4143);
        SslHandler serverTls = server.newHandler(ByteBufAllocator.DEFAULT);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientTls);
        EmbeddedChannel serverSide = new EmbeddedChannel(serverTls);
        try {
            shuttle(clientSide, serverSide);
            if (serverTls.handshakeFuture().isSuccess()) {
                serverSide.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                clientSide.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
                shuttle(clientSide, serverSide);
            }
            // BoringSSL says whether it resumed; the JDK does not, so for it the expired peer's refusal is the check.
            boolean resumed = clientTls.engine() instanceof ReferenceCountedOpenSslEngine openssl
                    && clientTls.handshakeFuture().isSuccess() && openssl.sslPointer() != 0 // 0 once a refusal closed it
                    && SSL.isSessionReused(openssl.sslPointer());
            return new Connection(serverTls.handshakeFuture().isSuccess(), serverTls.handshakeFuture().cause(), resumed);
        } finally {
            clientSide.finishAndReleaseAll();
            serverSide.finishAndReleaseAll();
        }
    }

    private static void shuttle(EmbeddedChannel client, EmbeddedChannel server) {
        for (int round = 0; round < 10; round++) {
            boolean moved = TlsRecords.exchange(client, server);
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
