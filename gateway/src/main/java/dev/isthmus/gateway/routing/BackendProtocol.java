package dev.isthmus.gateway.routing;

/** How a local service's instances speak, which decides how the gateway calls them. */
public enum BackendProtocol {
    /** HTTP/1.1 over plaintext; requests go over pooled keep-alive connections. */
    HTTP1,
    /** HTTP/2 over plaintext ("prior knowledge"); requests are multiplexed as streams. */
    H2C,
    /** Not HTTP: every session is a byte relay to one instance. */
    OPAQUE
}
