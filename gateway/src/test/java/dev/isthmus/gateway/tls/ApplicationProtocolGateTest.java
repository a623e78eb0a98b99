package dev.isthmus.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The gate against real ClientHellos from Netty's engines, cut and re-recorded as a hostile client could. */
class ApplicationProtocolGateTest {

    final AtomicInteger refused = new AtomicInteger();

    static byte[] hello(SslProvider provider, String tlsVersion, String... alpn) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider).protocols(tlsVersion)
                .trustManager(InsecureTrustManagerFactory.INSTANCE);
        if (alpn.length > 0) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                    SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        EmbeddedChannel client = new EmbeddedChannel(builder.build().newHandler(Unpooled.buffer().alloc(), "gateway", 4143));
        try {
            ByteBuf out = client.readOutbound();
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            client.finishAndReleaseAll();
        }
    }

    /** The same handshake bytes in records of at most {@code size} bytes each. */
    static byte[] rerecord(byte[] records, int size) {
        ByteBuf in = Unpooled.wrappedBuffer(records);
        ByteBuf out = Unpooled.buffer();
        while (in.isReadable()) {
            int type = in.readUnsignedByte();
            int version = in.readUnsignedShort();
            ByteBuf body = in.readSlice(in.readUnsignedShort());
            while (body.isReadable()) {
                int n = Math.min(size, body.readableBytes());
                out.writeByte(type).writeShort(version).writeShort(n).writeBytes(body, n);
            }
        }
        return ByteBufUtil.getBytes(out);
    }

    EmbeddedChannel gate() {
        return new EmbeddedChannel(new ApplicationProtocolGate(TlsContexts.ALPN_TRANSPORT, refused::incrementAndGet));
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void readsTheVersionAndProtocolsOfARealHello(SslProvider provider) throws Exception {
        ClientHelloOffer offer = ClientHelloOffer.read(Unpooled.wrappedBuffer(hello(provider, "TLSv1.3", "h2", TlsContexts.ALPN_TRANSPORT)));
        assertThat(offer.status()).isEqualTo(ClientHelloOffer.Status.CLIENT_HELLO);
        assertThat(offer.tls13()).isTrue();
        assertThat(offer.protocols()).containsExactly("h2", TlsContexts.ALPN_TRANSPORT);

        ClientHelloOffer none = ClientHelloOffer.read(Unpooled.wrappedBuffer(hello(provider, "TLSv1.3")));
        assertThat(none.tls13()).isTrue();
        assertThat(none.protocols()).isNull();
    }

    @Test
    void aHelloInOneByteRecordsReadsLikeTheWholeOne() throws Exception {
        byte[] hello = hello(SslProvider.JDK, "TLSv1.3", TlsContexts.ALPN_TRANSPORT);
        ClientHelloOffer offer = ClientHelloOffer.read(Unpooled.wrappedBuffer(rerecord(hello, 1)));
        assertThat(offer).isEqualTo(ClientHelloOffer.read(Unpooled.wrappedBuffer(hello)));
        assertThat(offer.offers(TlsContexts.ALPN_TRANSPORT)).isTrue();
    }

    @Test
    void everyProperPrefixIsIncomplete() throws Exception {
        byte[] hello = rerecord(hello(SslProvider.JDK, "TLSv1.3", TlsContexts.ALPN_TRANSPORT), 100);
        for (int length = 0; length < hello.length; length++) {
            assertThat(ClientHelloOffer.read(Unpooled.wrappedBuffer(hello, 0, length)).status()).as("prefix %d", length)
                    .isEqualTo(ClientHelloOffer.Status.INCOMPLETE);
        }
    }

    @Test
    void aHelloWithoutOurProtocolGetsTheAlertAndACloseAndIsCounted() throws Exception {
        EmbeddedChannel gate = gate();
        byte[] hello = hello(SslProvider.JDK, "TLSv1.3", "h2");
        // Fed a byte at a time: the gate waits for the whole hello before it decides.
        for (int i = 0; i < hello.length; i++) {
            gate.writeInbound(Unpooled.wrappedBuffer(hello, i, 1));
        }
        ByteBuf alert = gate.readOutbound();
        assertThat(ByteBufUtil.hexDump(alert)).isEqualTo("15030300020278");
        alert.release();
        assertThat(gate.isOpen()).isFalse();
        assertThat(refused).hasValue(1);
        assertThat((Object) gate.readInbound()).as("nothing reaches the TLS engine").isNull();
    }

    @Test
    void aHelloWithOurProtocolPassesWholeAndTheGateLeaves() throws Exception {
        EmbeddedChannel gate = gate();
        byte[] hello = hello(SslProvider.OPENSSL, "TLSv1.3", TlsContexts.ALPN_TRANSPORT);
        gate.writeInbound(Unpooled.wrappedBuffer(hello, 0, 10));
        assertThat((Object) gate.readInbound()).isNull();
        gate.writeInbound(Unpooled.wrappedBuffer(hello, 10, hello.length - 10));
        assertThat(passedOn(gate)).isEqualTo(hello);
        assertThat(gate.pipeline().get(ApplicationProtocolGate.class)).isNull();
        assertThat(refused).hasValue(0);
        gate.finishAndReleaseAll();
    }

    @Test
    void aTls12HelloAndPlaintextGoToTheTlsEngineUntouched() throws Exception {
        byte[] tls12 = hello(SslProvider.JDK, "TLSv1.2");
        assertThat(ClientHelloOffer.read(Unpooled.wrappedBuffer(tls12)).tls13()).isFalse();
        EmbeddedChannel gate = gate();
        gate.writeInbound(Unpooled.wrappedBuffer(tls12));
        assertThat(passedOn(gate)).isEqualTo(tls12);
        gate.finishAndReleaseAll();

        EmbeddedChannel plain = gate();
        plain.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", US_ASCII));
        assertThat(new String(passedOn(plain), US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n\r\n");
        plain.finishAndReleaseAll();
        assertThat(refused).hasValue(0);
    }

    private static byte[] passedOn(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part; (part = channel.readInbound()) != null; ) {
            all.writeBytes(part);
            part.release();
        }
        return ByteBufUtil.getBytes(all);
    }
}
