package dev.isthmus.gateway.tls;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.tls.IdentityTrustManager;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Clock;
import javax.net.ssl.SSLException;

/**
 * The TLS settings of a gateway connection, in one place: TLS 1.3 only, certificates on both sides,
 * peers checked by {@link PeerTrustManager} (chain to an anchor, SPIFFE identity, the extended key
 * usage of their role), ALPN {@code transport.l5d.io/v1}. A client that does not offer that protocol is
 * refused before the handshake by {@link ApplicationProtocolGate}: BoringSSL (through netty-tcnative)
 * cannot fail the handshake itself when no protocol overlaps.
 */
public final class TlsContexts {

    public static final String ALPN_TRANSPORT = "transport.l5d.io/v1";
    static final String[] TLS13 = {"TLSv1.3"};
    /**
     * BoringSSL's buffer, per connection, for what it writes while the engine is reading: the handshake's
     * flight, session tickets, alerts. netty-tcnative allocates it with the connection and keeps it for the
     * connection's life: 2 KiB by default, a quarter of the native memory an idle peer connection holds.
     * A smaller one only takes one more wrap to carry a larger flight (benchmarks/README.md, {@code idle}).
     */
    static final int NON_APPLICATION_BUFFER = 256;

    private TlsContexts() {}

    /**
     * The inbound side: requires a client certificate for clientAuth that chains to an anchor; who may pass is
     * the policy's call. No server-side session cache ({@link ServerSessions}); {@link ServerTls} also turns session tickets off.
     */
    public static SslContext server(CertifiedKey credentials, TrustAnchors anchors, SslProvider provider, Clock clock)
            throws SSLException {
        return server(credentials, anchors, provider, KeyExchange.DEFAULT, clock);
    }

    /** The inbound side, offering and accepting the key exchanges of {@code keyExchange}. */
    public static SslContext server(CertifiedKey credentials, TrustAnchors anchors, SslProvider provider, KeyExchange keyExchange,
            Clock clock) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forServer(credentials.key(), credentials.chain().toArray(new X509Certificate[0]));
        SslContext context = keyExchange.applyTo(builder, provider)
                .sslProvider(provider)
                .protocols(TLS13)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(new PeerTrustManager(
                        new IdentityTrustManager(anchors, id -> true, "a certificate from the trust anchors", clock),
                        PeerTrustManager.Role.CLIENT))
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, ALPN_TRANSPORT))
                .build();
        if (context instanceof ReferenceCountedOpenSslContext openSsl) {
            openSsl.setBioNonApplicationBufferSize(NON_APPLICATION_BUFFER);
        }
        return ServerSessions.withoutSessionCache(context);
    }

    /** The outbound side: presents our certificate and trusts only {@code peer}, with a certificate for serverAuth. */
    public static SslContext client(CertifiedKey credentials, TrustAnchors anchors, SpiffeId peer, SslProvider provider,
            Clock clock) throws SSLException {
        return client(credentials, anchors, peer, provider, KeyExchange.DEFAULT, clock);
    }

    /** The outbound side, offering the key exchanges of {@code keyExchange}. */
    public static SslContext client(CertifiedKey credentials, TrustAnchors anchors, SpiffeId peer, SslProvider provider,
            KeyExchange keyExchange, Clock clock) throws SSLException {
        return keyExchange.applyTo(SslContextBuilder.forClient(), provider)
                .keyManager(credentials.key(), credentials.chain().toArray(new X509Certificate[0]))
                .sslProvider(provider)
                .protocols(TLS13)
                .endpointIdentificationAlgorithm(null) // peers are named by SPIFFE identity, checked by the trust manager
                .trustManager(new PeerTrustManager(IdentityTrustManager.exactly(anchors, peer, clock), PeerTrustManager.Role.SERVER))
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, ALPN_TRANSPORT))
                .build();
    }
}
