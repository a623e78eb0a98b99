/**
 * Every meter the gateway keeps, named once ({@link dev.isthmus.gateway.metrics.GatewayMetrics}), and why a
 * connection or request was refused. Imported by the sides and by {@code http}; imports only the parts it
 * counts ({@code tap}, {@code tls}'s handshake failures, {@code pipeline}'s tail).
 */
package dev.isthmus.gateway.metrics;
