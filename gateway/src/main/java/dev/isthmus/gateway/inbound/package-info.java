/**
 * The inbound side: the mTLS listener's pipeline from accept to a routed session. A connection is limited,
 * gated on ALPN, handshaken, authorized, read for its transport header and routed
 * ({@link dev.isthmus.gateway.inbound.InboundPipeline} lists the order); then it becomes an opaque relay
 * ({@link dev.isthmus.gateway.inbound.OpaqueSession}, through {@code upstream.PendingRelay}) or an HTTP session through {@code http.HttpSessions}.
 * Must not import {@code outbound}, {@code admin}, {@code config} or the root package.
 */
package dev.isthmus.gateway.inbound;
