/**
 * The two ends of the gateway's warm-up traffic, both on 127.0.0.1: {@link dev.isthmus.gateway.warmup.LoopbackBackend}
 * answers every HTTP/1.1 request with a small 200, {@link dev.isthmus.gateway.warmup.LoopbackLoad} keeps a few
 * keep-alive clients busy. The root's {@code GatewayWarmup} puts two throwaway gateways between them, so that the
 * JIT compiles the real data path before the real gateway listens. An edge like {@code probe}: it imports only
 * the I/O transport, and nothing imports it but the root.
 */
package dev.isthmus.gateway.warmup;
