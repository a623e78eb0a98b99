package dev.isthmus.identity.ca;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.pem.PemFiles;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The roots every cluster trusts. A bundle may hold several, so an anchor can be rotated by trusting
 * old and new side by side. Every anchor must be a CA certificate.
 *
 * <p>An instance remembers the chains it validated ({@link VerifiedChains}): the same peer chain, presented on
 * every connection, is validated in full once. New anchors are a new instance, which remembers nothing.
 */
public final class TrustAnchors {

    private final List<X509Certificate> roots;
    private final Set<TrustAnchor> anchors;
    private final VerifiedChains verified;

    public TrustAnchors(List<X509Certificate> roots, String source) {
        this(roots, source, VerifiedChains.DEFAULT_CAPACITY);
    }

    /** @param verifiedChains how many validated chains to remember */
    TrustAnchors(List<X509Certificate> roots, String source, int verifiedChains) {
        requireNonNull(roots, "roots");
        if (roots.isEmpty()) {
            throw new InvalidAuthorityException(source + ": no trust anchors (expected at least one CA certificate)");
        }
        for (X509Certificate root : roots) {
            if (root.getBasicConstraints() < 0) {
                throw new InvalidAuthorityException(source + ": '" + root.getSubjectX500Principal().getName()
                        + "' is not a CA certificate and cannot be a trust anchor (expected basicConstraints CA:TRUE)");
            }
        }
        this.roots = List.copyOf(roots);
        Set<TrustAnchor> set = new HashSet<>();
        roots.forEach(r -> set.add(new TrustAnchor(r, null)));
        this.anchors = Set.copyOf(set);
        this.verified = new VerifiedChains(verifiedChains);
    }

    public static TrustAnchors load(Path bundle) {
        return new TrustAnchors(PemFiles.readCertificates(bundle), bundle.toString());
    }

    public List<X509Certificate> roots() {
        return roots;
    }

    /**
     * Checks that {@code chain} (leaf first) leads to one of the anchors and that every certificate in it
     * is valid at {@code at}.
     *
     * @throws CertPathValidatorException whose message says why not
     */
    public void verify(List<X509Certificate> chain, Instant at) throws CertPathValidatorException {
        if (chain.isEmpty()) {
            throw new CertPathValidatorException("no certificate presented");
        }
        Date date = Date.from(at);
        VerifiedChains.Key key = VerifiedChains.key(chain);
        if (key != null && verified.contains(key, date)) {
            return;
        }
        // The path given to PKIX must not contain the anchor itself.
        List<X509Certificate> path = chain.stream().filter(c -> !isAnchor(c)).toList();
        if (path.isEmpty()) {
            return; // a root validates as itself
        }
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(date);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            if (key != null) {
                verified.add(key, path, date);
            }
        } catch (CertPathValidatorException e) {
            throw e;
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException(e);
        } catch (GeneralSecurityException e) {
            throw new CertPathValidatorException(e.getMessage(), e);
        }
    }

    /** How many validated chains this instance remembers now; for tests. */
    int verifiedChains() {
        return verified.size();
    }

    private boolean isAnchor(X509Certificate certificate) {
        return roots.contains(certificate);
    }
}
