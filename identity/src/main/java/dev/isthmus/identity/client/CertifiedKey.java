package dev.isthmus.identity.client;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A private key and the certificate chain issued for it, swapped as one value so a reader never sees
 * a new certificate with an old key.
 *
 * @param chain leaf first, then the intermediates
 */
public record CertifiedKey(PrivateKey key, List<X509Certificate> chain) {

    public CertifiedKey {
        requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected the leaf certificate first)");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /**
     * When to renew: {@code fraction} of the way from {@code received} to notAfter. Measured from receipt,
     * not from notBefore, which the issuer backdates for clock skew: with short lifetimes the backdating
     * would otherwise use up the time before renewal.
     */
    public Instant renewAt(Instant received, double fraction) {
        long remaining = Math.max(0, Duration.between(received, notAfter()).toMillis());
        return received.plusMillis((long) (remaining * fraction));
    }
}
