package dev.isthmus.benchmarks.gateway;

import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.tls.IdentityTrustManager;
import dev.isthmus.identity.tls.PeerIdentities;
import java.io.ByteArrayInputStream;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway does per connection to decide who the peer is and whether it may pass: verify the
 * peer's chain to the anchors (in the handshake), read its SPIFFE ID, apply the policy. Baseline: the
 * two ECDSA P-256 verifications a two-certificate chain costs at least.
 *
 * <p>The chain is parsed from DER on every operation, as it is in a handshake. The JDK's X.509 factory
 * returns the cached object for DER it has seen, and that object remembers its successful signature
 * check: so this measures a peer that connects again with the same certificate — the normal case
 * between gateways, which have few peers, each renewed daily. A chain seen for the first time costs
 * about what {@code baselineTwoEcdsaVerifications} does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AuthorizationBenchmark {

    private X509Certificate[] chain;
    private byte[][] chainDer;
    private CertificateFactory x509;
    private IdentityTrustManager trustManager;
    private AuthorizationPolicy policy;
    private byte[] leafTbs;
    private byte[] leafSignature;
    private byte[] issuerTbs;
    private byte[] issuerSignature;
    private X509Certificate issuerCertificate;
    private X509Certificate rootCertificate;

    @Setup
    public void setUp() throws Exception {
        Clock clock = Clock.systemUTC();
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), clock);
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(5), clock);
        SpiffeId peer = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
        IssuedCertificate leaf = new LeafIssuer(issuer, clock).issue(Keys.generateP256().getPublic(), peer);
        chain = leaf.chain().toArray(new X509Certificate[0]);
        x509 = CertificateFactory.getInstance("X.509");
        chainDer = new byte[][] {chain[0].getEncoded(), chain[1].getEncoded()};
        TrustAnchors anchors = new TrustAnchors(root.chain(), "root");
        trustManager = IdentityTrustManager.trustDomain(anchors, "cluster.local", clock);
        policy = new AuthorizationPolicy("cluster.local", Set.of(peer), Set.of("other"), Set.of());
        leafTbs = chain[0].getTBSCertificate();
        leafSignature = chain[0].getSignature();
        issuerTbs = chain[1].getTBSCertificate();
        issuerSignature = chain[1].getSignature();
        issuerCertificate = chain[1];
        rootCertificate = root.certificate();
    }

    @Benchmark
    public boolean verifyChainAndAuthorize() throws Exception {
        X509Certificate[] received = {
            (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(chainDer[0])),
            (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(chainDer[1]))
        };
        trustManager.verify(received);
        return policy.allows(PeerIdentities.of(received[0]));
    }

    @Benchmark
    public boolean authorizeOnly() {
        return policy.allows(PeerIdentities.of(chain[0]));
    }

    @Benchmark
    public boolean baselineTwoEcdsaVerifications() throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(issuerCertificate.getPublicKey());
        verifier.update(leafTbs);
        boolean leafOk = verifier.verify(leafSignature);
        verifier.initVerify(rootCertificate.getPublicKey());
        verifier.update(issuerTbs);
        return leafOk & verifier.verify(issuerSignature);
    }
}
