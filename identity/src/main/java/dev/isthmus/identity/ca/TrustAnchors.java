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
 */
public final class TrustAnchors {

    private final List<X509Certificate> roots;
    private final Set<TrustAnchor> anchors;

    public TrustAnchors(List<X509Certificate> roots, String source) {
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
        // The path given to PKIX must not contain the anchor itself.
        List<X509Certificate> path = chain.stream().filter(c -> !isAnchor(c)).toList();
        if (path.isEmpty()) {
            return; // a root validates as itself
        }
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            throw e;
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException(e);
        } catch (GeneralSecurityException e) {
            throw new CertPathValidatorException(e.getMessage(), e);
        }
    }

    private boolean isAnchor(X509Certificate certificate) {
        return roots.contains(certificate);
    }
}
