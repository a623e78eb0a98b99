package dev.isthmus.gateway.transport;

import io.netty.handler.codec.DecoderException;

/** A transport header that is missing, malformed or too large; the message says which and what was expected. */
public final class TransportHeaderException extends DecoderException {
    public TransportHeaderException(String message) {
        super(message);
    }
}
