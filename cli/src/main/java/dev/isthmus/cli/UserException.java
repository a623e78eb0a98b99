package dev.isthmus.cli;

/** Something the user asked for that cannot be done; the message says what to do instead. */
public final class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }
}
