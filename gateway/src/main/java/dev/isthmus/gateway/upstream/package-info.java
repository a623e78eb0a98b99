/**
 * Connections to backends: the load balancer over an exported service's ready endpoints, connecting, and
 * the byte {@link dev.isthmus.gateway.upstream.Relay} for opaque sessions, which both sides start with a
 * {@link dev.isthmus.gateway.upstream.PendingRelay} while the other side connects. Imports only {@code routing} and
 * {@code pipeline}.
 */
package dev.isthmus.gateway.upstream;
