package dev.isthmus.identity.testing;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The one test PKI of every module: a throwaway trust anchor and issuer made with the production code
 * (so tests see exactly the certificates Isthmus issues), and workloads signed by it. identity's test jar
 * carries it to the other modules' tests; it cannot live in testkit, which identity's own tests use.
 *
 * <p>{@link #create()} uses the system clock, so what it signs is valid for tools such as
 * {@code openssl verify} too; {@link #at(Instant)} pins the clock for tests that assert exact dates. The
 * anchor and the issuer start {@link #HISTORY} before the clock, so leaves can be issued as of the past
 * (an expired one); the issuer still ends {@link #ISSUER_LIFETIME} after the clock.
 */
public record TestPki(String trustDomain, CertificateAuthority root, CertificateAuthority issuer, Clock clock) {

    /** The gateway's default identity, as the manifests give it. */
    public static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    /** Another cluster's gateway. */
    public static final SpiffeId PEER = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");

    public static final Duration ROOT_LIFETIME = Duration.ofDays(3650);
    public static final Duration ISSUER_LIFETIME = Duration.ofDays(365);
    public static final Duration HISTORY = Duration.ofDays(1);

    public static TestPki create() {
        return create(Clock.systemUTC());
    }

    /** A PKI whose clock stands still at {@code now}. */
    public static TestPki at(Instant now) {
        return create(Clock.fixed(now, ZoneOffset.UTC));
    }

    public static TestPki create(Clock clock) {
        return create(SpiffeId.DEFAULT_TRUST_DOMAIN, clock);
    }

    public static TestPki create(String trustDomain, Clock clock) {
        Clock past = Clock.offset(clock, HISTORY.negated());
        CertificateAuthority root = CertificateAuthority.createRoot(trustDomain, ROOT_LIFETIME, past);
        return new TestPki(trustDomain, root, issuerUnder(root, trustDomain, clock), clock);
    }

    private static CertificateAuthority issuerUnder(CertificateAuthority root, String trustDomain, Clock clock) {
        return root.createIssuer(trustDomain, ISSUER_LIFETIME.plus(HISTORY), Clock.offset(clock, HISTORY.negated()));
    }

    /** Another issuer under the same anchor, as a rotation or a second cluster brings. */
    public CertificateAuthority newIssuer() {
        return issuerUnder(root, trustDomain, clock);
    }

    public SpiffeId identity(String namespace, String serviceAccount) {
        return new SpiffeId(trustDomain, namespace, serviceAccount);
    }

    /** Issues with the default lifetime and clock-skew allowance, at this PKI's clock. */
    public LeafIssuer leafIssuer() {
        return new LeafIssuer(issuer, clock);
    }

    public TrustAnchors anchors() {
        return new TrustAnchors(List.of(root.certificate()), "test root");
    }

    public List<X509Certificate> roots() {
        return List.of(root.certificate());
    }

    /** A new key pair for {@code identity}, with a certificate issued through a CSR as a workload gets one. */
    public Workload workload(SpiffeId identity) {
        KeyPair keys = Keys.generateP256();
        return new Workload(identity, keys, leafIssuer().issue(CertificateRequests.create(keys, identity), identity));
    }

    public Workload workload(String namespace, String serviceAccount) {
        return workload(identity(namespace, serviceAccount));
    }

    /** A key and a 24-hour leaf for {@code identity}, issued now without clock-skew allowance. */
    public CertifiedKey leaf(SpiffeId identity) {
        return leaf(identity, clock, Duration.ofHours(24));
    }

    /** A leaf issued as if at {@code clock}'s time, valid for {@code lifetime}: in the past makes an expired one. */
    public CertifiedKey leaf(SpiffeId identity, Clock clock, Duration lifetime) {
        KeyPair keys = Keys.generateP256();
        IssuedCertificate issued = new LeafIssuer(issuer, lifetime, Duration.ZERO, clock).issue(keys.getPublic(), identity);
        return new CertifiedKey(keys.getPrivate(), issued.chain());
    }

    /** A leaf that expired an hour ago. */
    public CertifiedKey expiredLeaf(SpiffeId identity) {
        Clock past = Clock.fixed(clock.instant().minus(Duration.ofHours(3)), ZoneOffset.UTC);
        return leaf(identity, past, Duration.ofHours(2));
    }

    /** A workload's identity, key pair and certificate chain. */
    public record Workload(SpiffeId identity, KeyPair keys, IssuedCertificate certificate) {
        public X509Certificate leaf() {
            return certificate.leaf();
        }

        /** Leaf first, then the issuer: what a TLS peer presents. */
        public X509Certificate[] chain() {
            return certificate.chain().toArray(new X509Certificate[0]);
        }
    }
}
