package dev.isthmus.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbound TLS context as the gateway builds it, with BoringSSL, between two in-memory channels. */
class TlsContextsTest {

    static final TestPki pki = TestPki.create();

    EmbeddedChannel client;
    EmbeddedChannel server;
    SslHandler serverTls;

    @AfterEach
    void close() {
        if (client != null) {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
            client = null;
        }
    }

    @Test
    void theServerKeepsASmallBufferPerConnectionForWhatBoringSslWritesWhileReading() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        SslContext context = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), SslProvider.OPENSSL, Clock.systemUTC());

        assertThat(((ReferenceCountedOpenSslContext) context).getBioNonApplicationBufferSize())
                .isEqualTo(TlsContexts.NON_APPLICATION_BUFFER);
    }

    /** The server's flight (two certificates, their signatures, tickets after) is several times that buffer. */
    @Test
    void aHandshakeWhoseFlightOutgrowsThatBufferCompletesAndCarriesDataBothWays() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        client = new EmbeddedChannel(TlsContexts.client(pki.leaf(TestPki.PEER), pki.anchors(), TestPki.GATEWAY, SslProvider.OPENSSL,
                Clock.systemUTC()).newHandler(ByteBufAllocator.DEFAULT));
        server = new EmbeddedChannel(TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), SslProvider.OPENSSL,
                Clock.systemUTC()).newHandler(ByteBufAllocator.DEFAULT));

        int serverFlight = exchangeUntilQuiet();

        assertThat(serverFlight).isGreaterThan(2 * TlsContexts.NON_APPLICATION_BUFFER);
        assertThat(client.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).isTrue();
        assertThat(server.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).isTrue();

        client.writeAndFlush(Unpooled.copiedBuffer("to the gateway", US_ASCII));
        server.writeAndFlush(Unpooled.copiedBuffer("to the peer", US_ASCII));
        exchangeUntilQuiet();
        assertThat(read(server)).isEqualTo("to the gateway");
        assertThat(read(client)).isEqualTo("to the peer");
    }

    @Test
    void withoutASettingBothSidesAgreeOnThePostQuantumHybrid() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");

        assertThat(handshake(KeyExchange.DEFAULT, KeyExchange.DEFAULT)).isEqualTo("X25519MLKEM768");
    }

    /** What {@code tls.keyExchange: [X25519]} does to a peer that keeps the default: it still connects, on X25519. */
    @Test
    void aGatewaySetToX25519AgreesOnItWithAPeerThatOffersTheHybridFirst() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");

        assertThat(handshake(KeyExchange.DEFAULT, KeyExchange.of(List.of("X25519")))).isEqualTo("X25519");
        assertThat(handshake(KeyExchange.of(List.of("X25519")), KeyExchange.DEFAULT)).isEqualTo("X25519");
    }

    @Test
    void everyKeyExchangeTheFileMayNameIsOneBoringSslAgreesOn() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        for (String group : List.of("X25519MLKEM768", "X25519", "P-256", "P-384", "P-521")) {
            KeyExchange only = KeyExchange.of(List.of(group));

            assertThat(handshake(KeyExchange.DEFAULT, only)).as(group).isEqualTo(group);
            close();
        }
    }

    @Test
    void withNoKeyExchangeInCommonTheServerRefusesTheHandshake() throws Exception {
        assumeTrue(TlsProviders.preferred() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");

        assertThatThrownBy(() -> handshake(KeyExchange.of(List.of("P-384")), KeyExchange.of(List.of("X25519"))))
                .rootCause().hasMessageContaining("NO_SHARED_GROUP");

        assertThat(serverTls.handshakeFuture().cause()).hasMessageContaining("NO_SHARED_GROUP");
        assertThat(HandshakeFailure.classify(serverTls.handshakeFuture().cause())).isEqualTo(HandshakeFailure.NO_SHARED_KEY_EXCHANGE);
        assertThat(client.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).isFalse();
    }

    @Test
    void aKeyExchangeSettingIsRefusedForTheJdksTlsWhichWouldNotApplyIt() {
        KeyExchange x25519 = KeyExchange.of(List.of("X25519"));

        assertThatThrownBy(() -> new ServerTls(SslProvider.JDK, Duration.ofSeconds(10), x25519, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls.keyExchange [X25519] needs BoringSSL").hasMessageContaining("-Djdk.tls.namedGroups");
        new ServerTls(SslProvider.JDK, Duration.ofSeconds(10), KeyExchange.DEFAULT, Clock.systemUTC()); // the default is the JDK's own
    }

    /** A handshake between a client offering {@code offered} and a server accepting {@code accepted}: the group they agreed on. */
    private String handshake(KeyExchange offered, KeyExchange accepted) throws Exception {
        client = new EmbeddedChannel(TlsContexts.client(pki.leaf(TestPki.PEER), pki.anchors(), TestPki.GATEWAY, SslProvider.OPENSSL,
                offered, Clock.systemUTC()).newHandler(ByteBufAllocator.DEFAULT));
        serverTls = TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), SslProvider.OPENSSL, accepted, Clock.systemUTC())
                .newHandler(ByteBufAllocator.DEFAULT);
        server = new EmbeddedChannel(serverTls);
        exchangeUntilQuiet();
        return serverTls.handshakeFuture().isSuccess()
                ? SSL.getGroupName(((ReferenceCountedOpenSslEngine) serverTls.engine()).sslPointer()) : null;
    }

    /** Copies bytes both ways until neither side has any to send; returns how many the server sent. */
    private int exchangeUntilQuiet() {
        int fromServer = 0;
        for (int round = 0; round < 20; round++) {
            int toServer = pass(client, server);
            int toClient = pass(server, client);
            fromServer += toClient;
            if (toServer == 0 && toClient == 0) {
                return fromServer;
            }
        }
        throw new AssertionError("the two sides still exchange bytes after 20 rounds (expected: quiet after a handshake)");
    }

    private static int pass(EmbeddedChannel from, EmbeddedChannel to) {
        CompositeByteBuf flight = Unpooled.compositeBuffer();
        for (ByteBuf bytes; (bytes = from.readOutbound()) != null; ) {
            flight.addComponent(true, bytes);
        }
        int length = flight.readableBytes();
        if (length == 0) {
            flight.release();
            return 0;
        }
        to.writeInbound(flight);
        to.runPendingTasks();
        return length;
    }

    private static String read(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf bytes; (bytes = channel.readInbound()) != null; ) {
            text.append(bytes.toString(US_ASCII));
            bytes.release();
        }
        return text.toString();
    }
}
