package dev.isthmus.identity.testing;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A throwaway trust anchor and issuer made with the production code, and workloads signed by it.
 *
 * <p>{@link #create()} uses the system clock, so what it signs is valid for tools such as
 * {@code openssl verify} too; {@link #at(Instant)} pins the clock for tests that assert exact dates.
 */
public record TestPki(String trustDomain, CertificateAuthority root, CertificateAuthority issuer, Clock clock) {

    public static final Duration ROOT_LIFETIME = Duration.ofDays(3650);
    public static final Duration ISSUER_LIFETIME = Duration.ofDays(365);

    public static TestPki create() {
        return create(SpiffeId.DEFAULT_TRUST_DOMAIN, Clock.systemUTC());
    }

    /** A PKI whose clock stands still at {@code now}. */
    public static TestPki at(Instant now) {
        return create(SpiffeId.DEFAULT_TRUST_DOMAIN, Clock.fixed(now, ZoneOffset.UTC));
    }

    public static TestPki create(String trustDomain, Clock clock) {
        CertificateAuthority root = CertificateAuthority.createRoot(trustDomain, ROOT_LIFETIME, clock);
        return new TestPki(trustDomain, root, root.createIssuer(trustDomain, ISSUER_LIFETIME, clock), clock);
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

    /** A new key pair for {@code identity}, with a certificate issued through a CSR as a workload gets one. */
    public Workload workload(SpiffeId identity) {
        KeyPair keys = Keys.generateP256();
        return new Workload(identity, keys, leafIssuer().issue(CertificateRequests.create(keys, identity), identity));
    }

    public Workload workload(String namespace, String serviceAccount) {
        return workload(identity(namespace, serviceAccount));
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
