package dev.isthmus.gateway.outbound;

import java.io.IOException;

/** No connection to a remote gateway could be had; the message says why, for the client and the log. */
final class GatewayUnreachableException extends IOException {

    GatewayUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
