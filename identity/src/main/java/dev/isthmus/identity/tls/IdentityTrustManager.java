package dev.isthmus.identity.tls;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Trusts a peer whose chain leads to one of the trust anchors and whose SPIFFE identity the given
 * rule accepts, in either role and without a hostname check ({@link ChainTrustManager}).
 */
public final class IdentityTrustManager extends ChainTrustManager {

    private final TrustAnchors anchors;
    private final Predicate<SpiffeId> accepted;
    private final String expectation;
    private final Clock clock;

    /**
     * @param accepted which identities may connect
     * @param expectation the rule in words, for error messages ("spiffe://…/sa/isthmus-identity")
     */
    public IdentityTrustManager(TrustAnchors anchors, Predicate<SpiffeId> accepted, String expectation, Clock clock) {
        this.anchors = requireNonNull(anchors, "anchors");
        this.accepted = requireNonNull(accepted, "accepted");
        this.expectation = requireNonNull(expectation, "expectation");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Trusts exactly one identity, as a client does when it knows whom it called. */
    public static IdentityTrustManager exactly(TrustAnchors anchors, SpiffeId expected, Clock clock) {
        return new IdentityTrustManager(anchors, expected::equals, expected.toString(), clock);
    }

    /** Trusts any identity of {@code trustDomain}. */
    public static IdentityTrustManager trustDomain(TrustAnchors anchors, String trustDomain, Clock clock) {
        return new IdentityTrustManager(anchors, id -> id.trustDomain().equals(trustDomain),
                "any identity in trust domain " + trustDomain, clock);
    }

    /**
     * Verifies a peer's chain and returns its identity.
     *
     * @throws CertificateException saying why the peer is not trusted
     */
    public SpiffeId verify(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the peer presented no certificate");
        }
        List<X509Certificate> path = Arrays.asList(chain);
        try {
            anchors.verify(path, clock.instant());
        } catch (CertPathValidatorException e) {
            throw new CertificateException("the peer's certificate does not chain to a trust anchor: " + e.getMessage(), e);
        }
        SpiffeId identity;
        try {
            identity = PeerIdentities.of(chain[0]);
        } catch (IllegalArgumentException e) {
            throw new CertificateException(e.getMessage(), e);
        }
        if (!accepted.test(identity)) {
            throw new CertificateException("peer identity " + identity + " is not accepted (expected: " + expectation + ")");
        }
        return identity;
    }

    @Override
    protected void checkChain(X509Certificate[] chain) throws CertificateException {
        verify(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return anchors.roots().toArray(new X509Certificate[0]);
    }
}
