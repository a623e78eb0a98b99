package dev.isthmus.identity.ca;

import dev.isthmus.identity.pem.Pem;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A signed workload certificate and the chain that leads from it toward the trust anchor.
 *
 * @param leaf the workload certificate
 * @param intermediates the issuer and any CA above it, excluding the self-signed root
 */
public record IssuedCertificate(X509Certificate leaf, List<X509Certificate> intermediates) {

    public IssuedCertificate {
        intermediates = List.copyOf(intermediates);
    }

    /** Leaf first, then intermediates: what a TLS server sends and what {@code leaf.crt} holds. */
    public List<X509Certificate> chain() {
        List<X509Certificate> chain = new ArrayList<>(1 + intermediates.size());
        chain.add(leaf);
        chain.addAll(intermediates);
        return chain;
    }

    public Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }

    public String toPem() {
        return Pem.encode(chain());
    }
}
