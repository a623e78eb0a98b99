/**
 * Connections to backends: the load balancer over an exported service's ready endpoints, connecting, and
 * the byte {@link dev.isthmus.gateway.upstream.Relay} for opaque sessions. Imports only {@code routing} and
 * {@code pipeline}.
 */
package dev.isthmus.gateway.upstream;
