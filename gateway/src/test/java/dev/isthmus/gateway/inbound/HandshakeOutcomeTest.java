package dev.isthmus.gateway.inbound;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.pipeline.PeerAttributes;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real TLS 1.3 (BoringSSL) between two in-memory channels, so the test decides how bytes are cut into
 * reads: the client's Finished and its first application data reach the server in one read, as they
 * can on a real socket, and the policy decides in the middle of that read.
 */
class HandshakeOutcomeTest {

    static final TestPki pki = TestPki.create();

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<String> passedOn = new ArrayList<>();
    EmbeddedChannel client;
    EmbeddedChannel server;

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    @Test
    void aRefusedPeersFirstBytesNeverPassTheGateEvenInTheReadThatFinishesTheHandshake() throws Exception {
        connect(new AuthorizationPolicy("cluster.local",
                Set.of(SpiffeId.parse("spiffe://cluster.local/ns/other/sa/somebody-else")), Set.of(), Set.of()));

        assertThat(passedOn).isEmpty();
        assertThat(server.hasAttr(PeerAttributes.PEER)).isFalse();
        assertThat(registry.get("isthmus.gateway.sessions.rejected").tag("reason", "unauthorized").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anAdmittedPeersBytesInThatSameReadPassOnAfterItsIdentity() throws Exception {
        connect(AuthorizationPolicy.trustDomain("cluster.local"));

        assertThat(passedOn).containsExactly("handshake", "echo.test.svc.cluster.local:7");
        assertThat(server.attr(PeerAttributes.PEER).get()).isEqualTo(TestPki.PEER);
        assertThat(server.pipeline().get(HandshakeOutcome.class)).isNull();
        // The leaf the trust manager handed over for reading the identity is not kept for the connection's life.
        assertThat(server.pipeline().get(SslHandler.class).engine().getSession().getValueNames()).isEmpty();
    }

    @Test
    void aPeerThatNegotiatedNoAlpnProtocolIsClosedAfterTheHandshakeShouldTheGateHaveLetItThrough() throws Exception {
        // No ApplicationProtocolGate in this pipeline: this is the check behind it.
        CertifiedKey peer = pki.leaf(TestPki.PEER);
        SslContext noAlpn = SslContextBuilder.forClient().sslProvider(TlsProviders.preferred()).protocols("TLSv1.3")
                .keyManager(peer.key(), peer.chain().toArray(new X509Certificate[0]))
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        connect(AuthorizationPolicy.trustDomain("cluster.local"), noAlpn);

        assertThat(passedOn).isEmpty();
        assertThat(server.isOpen()).isFalse();
        assertThat(registry.get("isthmus.gateway.handshake.failures").tag("reason", "no_application_protocol").counter().count())
                .isEqualTo(1);
    }

    private void connect(AuthorizationPolicy policy) throws Exception {
        connect(policy, TlsContexts.client(pki.leaf(TestPki.PEER), pki.anchors(), TestPki.GATEWAY, TlsProviders.preferred(),
                Clock.systemUTC()));
    }

    /** Handshakes, then hands the server the client's last flight and first data as a single read. */
    private void connect(AuthorizationPolicy policy, SslContext clientContext) throws Exception {
        client = new EmbeddedChannel(clientContext.newHandler(ByteBufAllocator.DEFAULT));
        server = new EmbeddedChannel();
        server.pipeline().addLast(TlsContexts.server(pki.leaf(TestPki.GATEWAY), pki.anchors(), TlsProviders.preferred(),
                Clock.systemUTC()).newHandler(server.alloc()));
        server.pipeline().addLast(new HandshakeOutcome(policy, new GatewayMetrics(registry)));
        server.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof SslHandshakeCompletionEvent) {
                    passedOn.add("handshake");
                }
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf bytes = (ByteBuf) msg;
                passedOn.add(bytes.toString(US_ASCII));
                bytes.release();
            }
        });

        exchange(client, server); // ClientHello
        exchange(server, client); // ServerHello … server Finished: the client is done
        assertThat(client.pipeline().get(SslHandler.class).handshakeFuture().isSuccess()).isTrue();

        client.writeAndFlush(Unpooled.copiedBuffer("echo.test.svc.cluster.local:7", US_ASCII));
        exchange(client, server); // the client's certificate, Finished, and the data: one read
        server.runPendingTasks();
    }

    private static void exchange(EmbeddedChannel from, EmbeddedChannel to) {
        CompositeByteBuf flight = Unpooled.compositeBuffer();
        for (ByteBuf bytes; (bytes = from.readOutbound()) != null; ) {
            flight.addComponent(true, bytes);
        }
        to.writeInbound(flight);
    }
}
