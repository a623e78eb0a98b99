package dev.isthmus.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.testkit.fuzz.Fuzz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The first bytes any client sends, as {@link ClientHelloOffer} and {@link ApplicationProtocolGate} read
 * them, under a seeded mutation fuzzer ({@link Fuzz}) seeded with real hellos of both TLS engines. No
 * exception may come out, and the gate must either refuse with the alert or hand on every byte unchanged.
 */
class ClientHelloFuzzTest {

    static List<byte[]> hellos() throws Exception {
        return List.of(
                ApplicationProtocolGateTest.hello(SslProvider.JDK, "TLSv1.3", TlsContexts.ALPN_TRANSPORT),
                ApplicationProtocolGateTest.hello(SslProvider.OPENSSL, "TLSv1.3", "h2", TlsContexts.ALPN_TRANSPORT),
                ApplicationProtocolGateTest.hello(SslProvider.JDK, "TLSv1.3"),
                ApplicationProtocolGateTest.hello(SslProvider.JDK, "TLSv1.2", "http/1.1"),
                ApplicationProtocolGateTest.rerecord(ApplicationProtocolGateTest.hello(SslProvider.JDK, "TLSv1.3", "h2"), 7));
    }

    @Test
    void helloReader() throws Exception {
        Fuzz.target("ClientHello reader")
                .seeds(hellos())
                .dictionary(TlsContexts.ALPN_TRANSPORT, "h2", "\u0000\u0010", "\u0000\u002b", "\u0003\u0004", "\u0016\u0003\u0001")
                .iterations(50_000)
                .maxLength(8 * 1024)
                .run(bytes -> {
                    ClientHelloOffer offer = ClientHelloOffer.read(Unpooled.wrappedBuffer(bytes));
                    return offer.status() + " " + offer.tls13() + " " + (offer.protocols() == null ? "-" : offer.protocols().size());
                });
    }

    @Test
    void gateInAPipeline() throws Exception {
        Fuzz.target("ALPN gate")
                .seeds(hellos())
                .iterations(10_000)
                .maxLength(8 * 1024)
                .run(bytes -> {
                    int[] refused = {0};
                    EmbeddedChannel channel = new EmbeddedChannel(new ApplicationProtocolGate(TlsContexts.ALPN_TRANSPORT, () -> refused[0]++));
                    try {
                        int cut = bytes.length / 2;
                        channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
                        if (channel.isOpen()) { // a refusal closes at once
                            channel.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
                        }
                        channel.checkException();
                        ByteBuf passed = Unpooled.buffer();
                        for (ByteBuf part; (part = channel.readInbound()) != null; ) {
                            passed.writeBytes(part);
                            part.release();
                        }
                        try {
                            if (refused[0] == 1) {
                                assertThat(passed.readableBytes()).as("bytes handed on after a refusal").isZero();
                                return "refused";
                            }
                            if (channel.pipeline().get(ApplicationProtocolGate.class) == null) {
                                assertThat(passed).as("bytes handed on").isEqualTo(Unpooled.wrappedBuffer(bytes));
                                return "passed";
                            }
                            assertThat(passed.readableBytes()).as("bytes handed on while deciding").isZero();
                            return "waiting";
                        } finally {
                            passed.release();
                        }
                    } finally {
                        channel.finishAndReleaseAll();
                    }
                });
    }
}
