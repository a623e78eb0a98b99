package dev.isthmus.issuer;

/** No issuer can sign right now: none loaded yet, or the loaded one is expired or not yet valid. */
final class IssuerNotReadyException extends RuntimeException {
    IssuerNotReadyException(String message) {
        super(message);
    }
}
