package dev.isthmus.gateway.transport;

/** What the rest of a gateway connection carries after the transport header. */
public enum SessionProtocol {
    /** No session protocol: an opaque byte stream to the target. */
    OPAQUE,
    HTTP1,
    HTTP2
}
