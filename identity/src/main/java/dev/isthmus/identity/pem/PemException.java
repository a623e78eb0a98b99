package dev.isthmus.identity.pem;

/** A PEM file or block that is missing, unreadable or not what was expected; the message says which. */
public final class PemException extends RuntimeException {
    public PemException(String message) {
        super(message);
    }

    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
