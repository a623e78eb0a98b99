/**
 * Connections to peer gateways: the one {@link dev.isthmus.gateway.peer.PeerGatewayConnector} that outbound
 * traffic and the gateway probe both dial with (TCP, mTLS to exactly the expected identity, the transport
 * header), and the one classification of why a dial failed
 * ({@link dev.isthmus.gateway.peer.PeerConnectException}). What a side adds on top (outbound's backoff and
 * metrics by link, the probe's addresses in turn and its timeout) stays with that side. Below the sides,
 * above the parts: imports {@code tls}, {@code transport}, {@code routing} and the vocabulary, never
 * {@code http}, a side or the root package.
 */
package dev.isthmus.gateway.peer;
