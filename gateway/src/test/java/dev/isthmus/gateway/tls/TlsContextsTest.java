package dev.isthmus.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbound TLS context as the gateway builds it, with BoringSSL, between two in-memory channels. */
class TlsContextsTest {

    static final TestPki pki = TestPki.create();

    EmbeddedChannel client;
    EmbeddedChannel server;

    @AfterEach
    void close() {
        if (client != null) {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
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
