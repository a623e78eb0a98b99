/**
 * The outbound side: listeners for mirrored services that unmodified clients call in plaintext, the
 * protocol sniffing, the choice of backend (split, failover), and connections to remote gateways: HTTP/2 pools
 * in {@code http}'s pool registry, dialed through {@code peer}'s connector with outbound's backoff and metrics by
 * link on top. HTTP is proxied with {@code http}'s installer, the same as inbound.
 * Must not import {@code inbound}, {@code admin}, {@code config} or the root package.
 */
package dev.isthmus.gateway.outbound;
