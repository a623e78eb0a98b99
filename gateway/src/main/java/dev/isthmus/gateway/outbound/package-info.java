/**
 * The outbound side: listeners for mirrored services that unmodified clients call in plaintext, the
 * protocol sniffing, the choice of backend (split, failover), and connections to remote gateways (mTLS,
 * transport header, HTTP/2 pools). HTTP is proxied with {@code http}'s installer, the same as inbound.
 * Must not import {@code inbound}, {@code admin}, {@code config} or the root package.
 */
package dev.isthmus.gateway.outbound;
