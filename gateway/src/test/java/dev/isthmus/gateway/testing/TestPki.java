package dev.isthmus.gateway.testing;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** A trust anchor and an issuer made in memory, and leaves for any identity under them. */
public final class TestPki {

    public static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    public static final SpiffeId PEER = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");

    private final CertificateAuthority root;
    private final CertificateAuthority issuer;
    private final TrustAnchors anchors;

    public TestPki() {
        // Made as if a day ago, so leaves can be issued in the past (expired ones) under a valid issuer.
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofDays(-1));
        root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(30), clock);
        issuer = root.createIssuer("cluster.local", Duration.ofDays(10), clock);
        anchors = new TrustAnchors(root.chain(), "test root");
    }

    public TrustAnchors anchors() {
        return anchors;
    }

    public CertificateAuthority issuer() {
        return issuer;
    }

    public CertifiedKey leaf(SpiffeId identity) {
        return leaf(identity, Clock.systemUTC(), Duration.ofHours(24));
    }

    /** A leaf issued as if at {@code clock}'s time, valid for {@code lifetime}: in the past makes an expired one. */
    public CertifiedKey leaf(SpiffeId identity, Clock clock, Duration lifetime) {
        KeyPair keys = Keys.generateP256();
        IssuedCertificate issued = new LeafIssuer(issuer, lifetime, Duration.ZERO, clock).issue(keys.getPublic(), identity);
        return new CertifiedKey(keys.getPrivate(), issued.chain());
    }

    /** A leaf that expired an hour ago. */
    public CertifiedKey expiredLeaf(SpiffeId identity) {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC);
        return leaf(identity, past, Duration.ofHours(2));
    }

    public List<java.security.cert.X509Certificate> roots() {
        return anchors.roots();
    }
}
