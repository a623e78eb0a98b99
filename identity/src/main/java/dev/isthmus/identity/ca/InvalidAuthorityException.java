package dev.isthmus.identity.ca;

/** A CA certificate and key that cannot sign: not a CA, expired, not yet valid, or a key that does not match. */
public final class InvalidAuthorityException extends RuntimeException {
    public InvalidAuthorityException(String message) {
        super(message);
    }

    public InvalidAuthorityException(String message, Throwable cause) {
        super(message, cause);
    }
}
