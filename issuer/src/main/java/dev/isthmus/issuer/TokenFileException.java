package dev.isthmus.issuer;

/** A static token file that is missing, unreadable or malformed; the message names the file, the line and what was expected. */
public final class TokenFileException extends RuntimeException {
    public TokenFileException(String message) {
        super(message);
    }

    public TokenFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
