package dev.isthmus.gateway.http;

/**
 * Marks a request head the codec parsed but the gateway will not forward, as the failed decoder result of
 * that head: {@link HttpProxyHandler} answers it with {@link #status()} and ends the connection, as it does
 * for a head the codec itself could not parse.
 */
final class RefusedRequestException extends RuntimeException {

    private final int status;

    RefusedRequestException(int status, String reason) {
        super(reason, null, false, false); // an expected outcome, not a bug: no stack trace to fill
        this.status = status;
    }

    int status() {
        return status;
    }
}
