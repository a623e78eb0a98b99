package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The PKI of a load run, made in memory as {@code EnginePair} makes it: a root, an issuer, and ECDSA
 * P-256 leaves for the gateway under test and for the peer gateway the load comes from.
 */
final class LoadPki {

    static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId PEER = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");

    private final CertificateAuthority issuer;
    private final TrustAnchors anchors;
    private final CertifiedKey gateway;
    private final CertifiedKey peer;

    private LoadPki(CertificateAuthority issuer, TrustAnchors anchors, CertifiedKey gateway, CertifiedKey peer) {
        this.issuer = issuer;
        this.anchors = anchors;
        this.gateway = gateway;
        this.peer = peer;
    }

    static LoadPki create() {
        Clock clock = Clock.systemUTC();
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), clock);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(5), clock);
        return new LoadPki(issuer, new TrustAnchors(root.chain(), "load root"), leaf(issuer, GATEWAY, clock),
                leaf(issuer, PEER, clock));
    }

    private static CertifiedKey leaf(CertificateAuthority issuer, SpiffeId id, Clock clock) {
        KeyPair keys = Keys.generateP256();
        IssuedCertificate issued = new LeafIssuer(issuer, clock).issue(keys.getPublic(), id);
        return new CertifiedKey(keys.getPrivate(), issued.chain());
    }

    TrustAnchors anchors() {
        return anchors;
    }

    CertifiedKey gateway() {
        return gateway;
    }

    /**
     * The key of {@link #PEER}, issued under the same anchor as the gateway's: the load generator's peer
     * identity, and the west gateway's own in the {@code cross} mode.
     */
    CertifiedKey peer() {
        return peer;
    }

    /**
     * {@code count} keys of {@link #PEER}: {@link #peer()} first, then fresh leaves (each its own key pair and
     * certificate) from the same issuer, as many peer gateways (or replicas) under one anchor present.
     */
    List<CertifiedKey> peers(int count) {
        List<CertifiedKey> peers = new ArrayList<>();
        peers.add(peer);
        while (peers.size() < count) {
            peers.add(leaf(issuer, PEER, Clock.systemUTC()));
        }
        return peers;
    }

    /**
     * The peer's client context. {@code verifyGateway} true is the production one ({@link TlsContexts#client});
     * false skips the check of the gateway's certificate, which takes work off the load generator and none
     * off the gateway. Either way the peer keeps no sessions, so every connection is a full handshake.
     */
    SslContext peerContext(boolean verifyGateway) throws SSLException {
        return peerContext(peer, verifyGateway);
    }

    /** {@link #peerContext(boolean)} presenting {@code peer}'s certificate, one of {@link #peers}. */
    SslContext peerContext(CertifiedKey peer, boolean verifyGateway) throws SSLException {
        SslContext context;
        if (verifyGateway) {
            context = TlsContexts.client(peer, anchors, GATEWAY, TlsProviders.preferred(), Clock.systemUTC());
        } else {
            context = SslContextBuilder.forClient()
                    .keyManager(peer.key(), peer.chain().toArray(new X509Certificate[0]))
                    .sslProvider(TlsProviders.preferred())
                    .protocols("TLSv1.3")
                    .endpointIdentificationAlgorithm(null)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                            SelectedListenerFailureBehavior.ACCEPT, TlsContexts.ALPN_TRANSPORT))
                    .build();
        }
        if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
            sessions.setSessionCacheEnabled(false);
        }
        return context;
    }

    /** Writes the gateway's certificate chain, key and the anchors, for a gateway in another process. */
    void writeGatewayFiles(Path dir) {
        writeFiles(dir, "gateway", gateway);
    }

    /** Writes {@code key} as {@code <name>.crt} and {@code <name>.key}, and the anchors, for a gateway in another process. */
    void writeFiles(Path dir, String name, CertifiedKey key) {
        PemFiles.write(List.of(
                PemFiles.Output.certificates(dir.resolve(name + ".crt"), key.chain()),
                PemFiles.Output.key(dir.resolve(name + ".key"), key.key()),
                PemFiles.Output.certificates(dir.resolve("anchors.crt"), anchors.roots())), true);
    }

    static CertifiedKey readGatewayKey(Path dir) {
        return readKey(dir, "gateway");
    }

    static CertifiedKey readKey(Path dir, String name) {
        return new CertifiedKey(PemFiles.readPrivateKey(dir.resolve(name + ".key")),
                PemFiles.readCertificates(dir.resolve(name + ".crt")));
    }

    static TrustAnchors readAnchors(Path dir) {
        return TrustAnchors.load(dir.resolve("anchors.crt"));
    }
}
