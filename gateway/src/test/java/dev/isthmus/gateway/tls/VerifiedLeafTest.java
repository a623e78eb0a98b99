package dev.isthmus.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.testing.TlsRecords;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The inbound side's trust manager hands the leaf it checked to the session, once: handshakes between two
 * {@link EmbeddedChannel}s with each TLS provider the gateway may run on.
 */
class VerifiedLeafTest {

    private static final TestPki pki = TestPki.create();

    private EmbeddedChannel client;
    private EmbeddedChannel server;

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void theLeafTheTrustManagerCheckedIsTakenFromTheSessionOnceAndEqualsThePeersCertificate(SslProvider provider) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "netty-tcnative is not available");
        SSLSession session = handshake(provider, TestPki.PEER);
        X509Certificate sessionCopy = (X509Certificate) session.getPeerCertificates()[0];

        X509Certificate taken = VerifiedLeaf.take(session);

        assertThat(taken).isEqualTo(sessionCopy);
        if (provider == SslProvider.OPENSSL) {
            assertThat(taken).as("the trust manager's parsed instance, not the session's copy of the bytes").isNotSameAs(sessionCopy);
        }
        assertThat(session.getValueNames()).isEmpty();
        assertThat(VerifiedLeaf.take(session)).as("afterwards, the session's own copy").isSameAs(sessionCopy);
        assertThat(client.pipeline().get(SslHandler.class).engine().getSession().getValueNames())
                .as("the outbound role, which checks the gateway it called, keeps nothing").isEmpty();
    }

    private SSLSession handshake(SslProvider provider, SpiffeId peer) throws Exception {
        ServerTls tls = new ServerTls(provider, Duration.ofSeconds(10), Clock.systemUTC());
        tls.update(pki.leaf(TestPki.GATEWAY), pki.anchors());
        SslHandler serverTls = tls.newHandler(ByteBufAllocator.DEFAULT);
        client = new EmbeddedChannel(TlsContexts.client(pki.leaf(peer), pki.anchors(), TestPki.GATEWAY, provider, Clock.systemUTC())
                .newHandler(ByteBufAllocator.DEFAULT));
        server = new EmbeddedChannel(serverTls);
        for (int round = 0; round < 10; round++) {
            if (!TlsRecords.exchange(client, server)) {
                break;
            }
        }
        assertThat(serverTls.handshakeFuture().isSuccess()).as("handshake: %s", serverTls.handshakeFuture().cause()).isTrue();
        return serverTls.engine().getSession();
    }

}
