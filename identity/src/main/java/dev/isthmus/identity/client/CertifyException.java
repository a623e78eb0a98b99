package dev.isthmus.identity.client;

/**
 * The issuer did not issue: unreachable, not ready, or it refused the request. The status is the
 * HTTP status it answered with, or 0 when it could not be reached.
 */
public final class CertifyException extends Exception {

    private final int status;

    public CertifyException(int status, String message) {
        super(message);
        this.status = status;
    }

    public CertifyException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
