/**
 * mTLS: the serving context that hot-swaps credentials ({@link dev.isthmus.gateway.tls.ServerTls}), the one
 * cache of client contexts for remote gateways ({@link dev.isthmus.gateway.tls.ClientContexts}), the exact-peer
 * trust check, the ALPN gate and the classification of handshake failures. A part: imports only the
 * {@code identity} module.
 */
package dev.isthmus.gateway.tls;
