package dev.isthmus.identity.ca;

/** A certificate signing request that cannot be signed as it is; the message says what is wrong. */
public final class CertificateRequestException extends RuntimeException {
    public CertificateRequestException(String message) {
        super(message);
    }

    public CertificateRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
