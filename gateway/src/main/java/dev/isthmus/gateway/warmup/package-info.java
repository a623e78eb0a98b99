/**
 * The ends of the gateway's warm-up traffic, all on 127.0.0.1: {@link dev.isthmus.gateway.warmup.LoopbackBackend}
 * answers every HTTP/1.1 request with a small 200, {@link dev.isthmus.gateway.warmup.LoopbackLoad} keeps a few
 * keep-alive clients busy, and {@link dev.isthmus.gateway.warmup.LoopbackHandshakes} dials a gateway again and again
 * with the {@code peer} connector. The root's {@code GatewayWarmup} puts two throwaway gateways between them, so that
 * the JIT compiles the real data path, and its handshakes, before the real gateway listens. An edge like
 * {@code probe}: it imports the peer connector, the parts and the I/O transport, and nothing imports it but the root.
 */
package dev.isthmus.gateway.warmup;
