package dev.isthmus.gateway.pipeline;

/**
 * The handler names that more than one side's pipeline uses, so that the HTTP session installer can
 * find its place in an inbound and an outbound pipeline alike without knowing either side. Each side's
 * full order is on {@code inbound.InboundPipeline} and {@code outbound.OutboundPipeline}.
 */
public final class HandlerNames {
    /** Refuses connections over the listener's limit. */
    public static final String LIMIT = "limit";
    /** The SslHandler, where a side has one; the HTTP session puts its flush consolidation right after it. */
    public static final String TLS = "tls";
    /** The handler a routed connection's session replaces: a byte relay, or HTTP codecs and a proxy. */
    public static final String SESSION = "session";

    private HandlerNames() {}
}
