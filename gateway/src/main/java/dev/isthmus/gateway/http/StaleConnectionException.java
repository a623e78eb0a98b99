package dev.isthmus.gateway.http;

import java.io.IOException;

/**
 * A pooled connection turned out to be closed when an exchange tried to use it, before any of the request
 * was written: nothing reached the upstream, so any request may go out again on a new connection.
 */
public final class StaleConnectionException extends IOException {

    public StaleConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
