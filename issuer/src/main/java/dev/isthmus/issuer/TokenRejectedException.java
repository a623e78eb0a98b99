package dev.isthmus.issuer;

/**
 * A token that proves no identity; the service answers 401. The message goes back to the client, so it
 * says what was wrong and never repeats the token.
 */
public final class TokenRejectedException extends RuntimeException {
    public TokenRejectedException(String message) {
        super(message);
    }
}
