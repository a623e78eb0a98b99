/**
 * The gateway-to-gateway wire protocol after TLS: the transport header (preface, length, protobuf
 * {@code name:port} and session protocol), its hostile-input-proof decoder, and the reserved target the
 * probe asks ({@link dev.isthmus.gateway.transport.ProbeTarget}). A part: imports nothing above it.
 */
package dev.isthmus.gateway.transport;
