package dev.isthmus.cli.check;

import dev.isthmus.cli.install.IdentityFiles;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The identity checks of {@code isthmus check}, the same whether the PEM comes from files or from the
 * cluster: the anchors are CA certificates in their validity period; the issuer is a CA that may sign, in
 * its validity period, chaining to the anchors; its key (when given) matches it.
 *
 * <p>A certificate near its end is a warning when less than {@link #WARN_BEFORE} remains, or, for a
 * certificate whose whole life is shorter than ten times that, less than a tenth of its life: a one-year
 * issuer warns 30 days ahead, a 30-day one three days ahead, so a short-lived issuer rotated on schedule
 * does not warn all the time.
 */
public final class CertificateChecks {

    public static final Duration WARN_BEFORE = Duration.ofDays(30);

    private final CheckReport report;
    private final Instant now;

    public CertificateChecks(CheckReport report, Instant now) {
        this.report = report;
        this.now = now;
    }

    /**
     * @return the anchors when they can be used to check the issuer, else empty (the failure is reported)
     */
    public Optional<List<X509Certificate>> anchors(Supplier<String> pem, String source) {
        List<X509Certificate> roots;
        try {
            roots = Pem.certificates(pem.get(), source);
        } catch (PemException e) {
            report.fail("trust anchors can be read", e.getMessage());
            return Optional.empty();
        }
        report.pass("trust anchors can be read (" + roots.size() + " certificate" + (roots.size() == 1 ? "" : "s") + ")");
        List<String> notCa = roots.stream().filter(r -> r.getBasicConstraints() < 0)
                .map(r -> "'" + subject(r) + "' is not a CA certificate (expected basicConstraints CA:TRUE)").toList();
        if (!notCa.isEmpty()) {
            report.fail("trust anchors are CA certificates", withHint(notCa, source + ": an anchor must be a root CA, such as"
                    + " `isthmus certs root` or `step certificate create --profile root-ca` makes"));
            return Optional.empty();
        }
        report.pass("trust anchors are CA certificates");
        List<String> notRoots = roots.stream().filter(r -> !IdentityFiles.selfSigned(r))
                .map(r -> "'" + subject(r) + "' is not self-signed (issued by '" + r.getIssuerX500Principal().getName() + "')")
                .toList();
        if (!notRoots.isEmpty()) {
            report.fail("trust anchors are root CAs", withHint(notRoots, source + ": expected a root CA, such as `isthmus certs root`"
                    + " makes; an intermediate CA is the issuer, not the anchor"));
            return Optional.empty();
        }
        report.pass("trust anchors are root CAs");
        validity("trust anchors", roots, source);
        return Optional.of(roots);
    }

    /**
     * @param chainPem the issuer certificate first, then any intermediates above it
     * @param chainPem reads the PEM, throwing {@link PemException} when it cannot
     * @param keyPem the issuer's private key, or {@code null} to skip that check
     */
    public void issuer(Supplier<String> chainPem, String certificateSource, Supplier<String> keyPem, String keySource,
            Optional<List<X509Certificate>> anchors) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(chainPem.get(), certificateSource);
        } catch (PemException e) {
            report.fail("issuer certificate can be read", e.getMessage());
            return;
        }
        report.pass("issuer certificate can be read");
        X509Certificate issuer = chain.get(0);
        boolean[] usage = issuer.getKeyUsage();
        if (issuer.getBasicConstraints() < 0) {
            report.fail("issuer certificate is a CA that may sign certificates", certificateSource + ": '" + subject(issuer)
                    + "' is not a CA certificate (expected basicConstraints CA:TRUE, as `isthmus certs issuer` or"
                    + " `step certificate create --profile intermediate-ca` makes)");
        } else if (usage != null && !usage[5]) {
            report.fail("issuer certificate is a CA that may sign certificates", certificateSource + ": '" + subject(issuer)
                    + "' may not sign certificates (expected keyUsage keyCertSign)");
        } else {
            report.pass("issuer certificate is a CA that may sign certificates");
        }
        if (IdentityFiles.selfSigned(issuer) || anchors.map(a -> a.contains(issuer)).orElse(false)) {
            report.fail("issuer certificate is not a trust anchor", certificateSource + ": '" + subject(issuer) + "' is a trust"
                    + " anchor itself (expected: an intermediate CA signed by the anchor, such as `isthmus certs issuer"
                    + " --ca-cert root.crt` makes)");
        } else {
            report.pass("issuer certificate is not a trust anchor");
        }
        validity("issuer certificate", chain, certificateSource);
        if (anchors.isEmpty()) {
            report.skip("issuer certificate chains to the trust anchors", "the trust anchors could not be used (see above)");
        } else {
            try {
                new TrustAnchors(anchors.get(), "anchors").verify(chain, now);
                report.pass("issuer certificate chains to the trust anchors");
            } catch (CertPathValidatorException | InvalidAuthorityException e) {
                report.fail("issuer certificate chains to the trust anchors", certificateSource + ": '" + subject(issuer)
                        + "' does not chain to any trust anchor: " + e.getMessage(),
                        "anchors: " + String.join(", ", anchors.get().stream().map(CertificateChecks::describe).toList()),
                        "issued by: '" + issuer.getIssuerX500Principal().getName() + "'"
                                + " (expected an issuer signed by one of the anchors, e.g. with `isthmus certs issuer --ca-cert root.crt`)");
            }
        }
        if (keyPem == null) {
            return;
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(keyPem.get(), keySource);
        } catch (PemException e) {
            report.fail("issuer key can be read", e.getMessage());
            return;
        }
        try {
            Keys.checkMatches(key, issuer, keySource);
            report.pass("issuer key matches the issuer certificate");
        } catch (InvalidAuthorityException e) {
            report.fail("issuer key matches the issuer certificate", e.getMessage());
        }
    }

    private void validity(String what, List<X509Certificate> certificates, String source) {
        List<String> invalid = new ArrayList<>();
        List<String> ending = new ArrayList<>();
        for (X509Certificate c : certificates) {
            Instant notBefore = c.getNotBefore().toInstant();
            Instant notAfter = c.getNotAfter().toInstant();
            if (now.isBefore(notBefore)) {
                invalid.add("'" + subject(c) + "' is not valid before " + notBefore + " (it is " + now + ")");
            } else if (now.isAfter(notAfter)) {
                invalid.add("'" + subject(c) + "' expired at " + notAfter + " (it is " + now + ")");
            } else {
                Duration left = Duration.between(now, notAfter);
                if (left.compareTo(warnBefore(notBefore, notAfter)) < 0) {
                    ending.add("'" + subject(c) + "' expires at " + notAfter + ", in " + human(left));
                }
            }
        }
        String check = what + (certificates.size() == 1 && what.endsWith("certificate") ? " is" : " are") + " within "
                + (certificates.size() == 1 && what.endsWith("certificate") ? "its" : "their") + " validity period";
        if (!invalid.isEmpty()) {
            report.fail(check, withHint(invalid, source + ": replace it; see `isthmus certs --help`"));
            return;
        }
        report.pass(check);
        String soon = what + " will not expire soon";
        if (ending.isEmpty()) {
            report.pass(soon);
        } else {
            report.warn(soon, withHint(ending, "rotate it before then (warned when under 30 days, or a tenth of its life, remain)"));
        }
    }

    /** Thirty days, or a tenth of the certificate's life if that is shorter. */
    static Duration warnBefore(Instant notBefore, Instant notAfter) {
        Duration tenth = Duration.between(notBefore, notAfter).dividedBy(10);
        return tenth.compareTo(WARN_BEFORE) < 0 ? tenth : WARN_BEFORE;
    }

    /** Subject and SHA-256 fingerprint: two anchors with one subject are told apart. */
    public static String describe(X509Certificate certificate) {
        return "'" + subject(certificate) + "' (SHA-256 " + fingerprint(certificate).substring(0, 23) + "…)";
    }

    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    private static String[] withHint(List<String> problems, String hint) {
        List<String> lines = new ArrayList<>(problems);
        lines.add(hint);
        return lines.toArray(String[]::new);
    }

    private static String human(Duration d) {
        if (d.toDays() >= 2) {
            return d.toDays() + " days";
        }
        if (d.toHours() >= 2) {
            return d.toHours() + " hours";
        }
        return d.toMinutes() + " minutes";
    }
}
