package dev.isthmus.cli.install;

import dev.isthmus.cli.UserException;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.pem.PemFiles;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * The trust anchors and the issuer's certificate and key, checked before anything is printed: an install
 * that would leave an issuer unable to sign, or signing for anchors nobody trusts, fails here instead of
 * in a crash-looping pod.
 *
 * @param anchorsPem the anchors file's text, as given
 * @param issuerCertificatePem the issuer certificate file's text, as given (chain included)
 * @param issuerKeyPem the issuer key file's text, as given
 */
public record IdentityFiles(String anchorsPem, String issuerCertificatePem, String issuerKeyPem) {

    static final String ANCHORS_FLAG = "--identity-trust-anchors-file";
    static final String CERTIFICATE_FLAG = "--identity-issuer-certificate-file";
    static final String KEY_FLAG = "--identity-issuer-key-file";

    /** Reads and checks the three files at {@code now}. */
    public static IdentityFiles load(Path anchorsFile, Path certificateFile, Path keyFile, Instant now) {
        TrustAnchors anchors = anchors(anchorsFile, now);
        String certificatePem = read(CERTIFICATE_FLAG, certificateFile);
        String keyPem = read(KEY_FLAG, keyFile);
        CertificateAuthority issuer;
        try {
            issuer = CertificateAuthority.load(certificateFile, keyFile, now);
        } catch (PemException | InvalidAuthorityException e) {
            throw new UserException(CERTIFICATE_FLAG + "/" + KEY_FLAG + ": " + e.getMessage()
                    + "; the issuer must be a CA certificate, valid now, with its own private key"
                    + " (make one with `isthmus certs issuer`)");
        }
        X509Certificate issuerCertificate = issuer.certificate();
        if (selfSigned(issuerCertificate) || anchors.roots().contains(issuerCertificate)) {
            throw new UserException(CERTIFICATE_FLAG + " " + certificateFile + ": '"
                    + issuerCertificate.getSubjectX500Principal().getName() + "' is a trust anchor itself (expected: an"
                    + " intermediate CA signed by the anchor, such as `isthmus certs issuer --ca-cert root.crt` makes, so that"
                    + " the anchor's key stays off the cluster and the issuer can be rotated under it)");
        }
        try {
            anchors.verify(issuer.chain(), now);
        } catch (CertPathValidatorException e) {
            throw new UserException(CERTIFICATE_FLAG + " " + certificateFile + ": the issuer '"
                    + issuer.certificate().getSubjectX500Principal().getName() + "' does not chain to the trust anchors in "
                    + anchorsFile + " (" + e.getMessage() + "); sign the issuer with one of those anchors, or give the"
                    + " anchors that signed it");
        }
        return new IdentityFiles(read(ANCHORS_FLAG, anchorsFile), certificatePem, keyPem);
    }

    /** The anchors in {@code file}: CA certificates, each valid at {@code now}. */
    public static TrustAnchors anchors(Path file, Instant now) {
        TrustAnchors anchors;
        try {
            anchors = TrustAnchors.load(file);
        } catch (PemException | InvalidAuthorityException e) {
            throw new UserException(ANCHORS_FLAG + ": " + e.getMessage());
        }
        for (X509Certificate root : anchors.roots()) {
            String subject = root.getSubjectX500Principal().getName();
            if (!selfSigned(root)) {
                throw new UserException(ANCHORS_FLAG + " " + file + ": '" + subject + "' is not self-signed (issued by '"
                        + root.getIssuerX500Principal().getName() + "') (expected: a root CA, such as `isthmus certs root`"
                        + " makes; an intermediate CA belongs in " + CERTIFICATE_FLAG + ")");
            }
            if (now.isAfter(root.getNotAfter().toInstant())) {
                throw new UserException(ANCHORS_FLAG + " " + file + ": the trust anchor '" + subject + "' expired at "
                        + root.getNotAfter().toInstant() + " (it is " + now + "); make a new anchor (`isthmus certs root`)"
                        + " and an issuer signed by it");
            }
            if (now.isBefore(root.getNotBefore().toInstant())) {
                throw new UserException(ANCHORS_FLAG + " " + file + ": the trust anchor '" + subject + "' is not valid before "
                        + root.getNotBefore().toInstant() + " (it is " + now + "); check this machine's clock");
            }
        }
        return anchors;
    }

    /**
     * Whether {@code certificate} names itself as its issuer and its own key verifies its signature: a root CA,
     * which is what a trust anchor must be (an intermediate as the anchor would make its issuer's anchor
     * unknown to every peer that checks the whole chain).
     */
    public static boolean selfSigned(X509Certificate certificate) {
        if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String read(String flag, Path file) {
        try {
            return PemFiles.read(file);
        } catch (PemException e) {
            throw new UserException(flag + ": " + e.getMessage());
        }
    }
}
