package dev.isthmus.gateway.tls;

import io.netty.handler.ssl.OpenSslCertificateException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.PKIXReason;

/**
 * Why a peer certificate was refused, as the alert the peer receives. BoringSSL turns the X.509 error
 * code that a trust manager's {@link OpenSslCertificateException} carries into the TLS alert; a plain
 * {@link CertificateException} becomes {@code X509_V_ERR_UNSPECIFIED}, which goes out as
 * {@code internal_error} and tells the peer nothing.
 *
 * <p>The JDK provider (the fallback) ignores the code. As a server it sends {@code certificate_unknown} for
 * every refused client certificate, whatever the exception; as a client (dialer, probe) it picks the alert
 * from the reason of a {@link CertPathValidatorException} cause, so the exception carries one of those too
 * ({@code unknown_ca} has none there and goes out as {@code certificate_unknown}).
 *
 * <p>The codes are OpenSSL's {@code X509_V_ERR_*} numbers, written out because netty-tcnative's constants
 * need its native library loaded, and the JDK fallback runs without it.
 */
public enum CertificateRejection {
    /** The chain leads to no anchor we trust: another anchor, or a missing intermediate. */
    UNKNOWN_CA(20 /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */, "unknown_ca", PKIXReason.NO_TRUST_ANCHOR),
    /** The certificate or its chain is unusable: no or several SPIFFE identities, a non-CA issuer, a bad signature. */
    BAD_CERTIFICATE(28 /* X509_V_ERR_CERT_REJECTED */, "bad_certificate", BasicReason.INVALID_SIGNATURE),
    /** Outside its validity period. */
    EXPIRED(10 /* X509_V_ERR_CERT_HAS_EXPIRED */, "certificate_expired", BasicReason.EXPIRED),
    /** Its extended key usage does not allow the role the peer plays (client or server). */
    WRONG_PURPOSE(26 /* X509_V_ERR_INVALID_PURPOSE */, "unsupported_certificate", BasicReason.ALGORITHM_CONSTRAINED),
    /** Anything else; the code is one BoringSSL maps to {@code certificate_unknown}. */
    UNKNOWN(29 /* X509_V_ERR_SUBJECT_ISSUER_MISMATCH */, "certificate_unknown", BasicReason.UNSPECIFIED);

    private final int verifyError;
    private final String alert;
    private final CertPathValidatorException.Reason jdkReason;

    CertificateRejection(int verifyError, String alert, CertPathValidatorException.Reason jdkReason) {
        this.verifyError = verifyError;
        this.alert = alert;
        this.jdkReason = jdkReason;
    }

    /** The TLS alert (RFC 8446 §6.2 name) the peer receives from BoringSSL. */
    public String alert() {
        return alert;
    }

    int verifyError() {
        return verifyError;
    }

    /** The exception to throw from a trust manager so that the peer receives this rejection's alert. */
    public OpenSslCertificateException exception(String message, Throwable cause) {
        return new OpenSslCertificateException(message, new CertPathValidatorException(message, cause, null, -1, jdkReason),
                verifyError);
    }

    /** Classifies a refusal of {@link dev.isthmus.identity.tls.IdentityTrustManager} by its cause. */
    public static CertificateRejection of(CertificateException refusal) {
        if (refusal instanceof OpenSslCertificateException coded) {
            return ofVerifyError(coded.errorCode());
        }
        Throwable cause = refusal.getCause();
        if (cause instanceof CertPathValidatorException invalid) {
            CertPathValidatorException.Reason reason = invalid.getReason();
            if (reason == BasicReason.EXPIRED || reason == BasicReason.NOT_YET_VALID) {
                return EXPIRED;
            }
            if (reason == PKIXReason.NO_TRUST_ANCHOR) {
                return UNKNOWN_CA;
            }
            if (reason == PKIXReason.NOT_CA_CERT || reason == PKIXReason.PATH_TOO_LONG || reason == BasicReason.INVALID_SIGNATURE
                    || reason == PKIXReason.INVALID_KEY_USAGE || reason == PKIXReason.UNRECOGNIZED_CRIT_EXT
                    || reason == BasicReason.ALGORITHM_CONSTRAINED) {
                return BAD_CERTIFICATE;
            }
            return UNKNOWN;
        }
        if (cause instanceof IllegalArgumentException) {
            return BAD_CERTIFICATE; // no, several or a malformed SPIFFE identity
        }
        if (refusal.getMessage() != null && refusal.getMessage().contains("is not accepted")) {
            return BAD_CERTIFICATE; // a valid identity, but not the one expected
        }
        return UNKNOWN;
    }

    /** The rejection a BoringSSL verify error stands for; {@link #UNKNOWN} for codes this class does not send. */
    public static CertificateRejection ofVerifyError(int verifyError) {
        for (CertificateRejection rejection : values()) {
            if (rejection.verifyError == verifyError) {
                return rejection;
            }
        }
        return UNKNOWN;
    }
}
