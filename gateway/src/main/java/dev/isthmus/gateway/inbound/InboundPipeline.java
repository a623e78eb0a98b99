package dev.isthmus.gateway.inbound;

import dev.isthmus.gateway.pipeline.HandlerNames;

/**
 * Names of the inbound handlers, in pipeline order:
 * <pre>
 * limit      ConnectionLimiter        refuses connections over the limit, counts open ones
 * alpn       ApplicationProtocolGate  refuses a TLS 1.3 hello without ALPN transport.l5d.io/v1, then leaves
 * tls        SslHandler               TLS 1.3, client certificate required, chain checked against the anchors
 * handshake  HandshakeOutcome         classifies failures; on success, reads the peer identity and applies the policy
 * idle       IdleClose                closes connections idle for too long
 * header     TransportHeaderDecoder   reads {@code name:port} and the session protocol, then leaves
 * session    SessionRouter            finds the exported service and installs the session's handlers
 * tail       PipelineTail             counts and logs what no handler dealt with (every pipeline ends in it)
 * </pre>
 * After routing, {@code session} is replaced by the handlers of the session: a byte relay, or HTTP codecs
 * and a proxy.
 */
public final class InboundPipeline {
    public static final String LIMIT = HandlerNames.LIMIT;
    public static final String ALPN = "alpn";
    public static final String TLS = HandlerNames.TLS;
    public static final String HANDSHAKE = "handshake";
    public static final String IDLE = "idle";
    public static final String HEADER = "header";
    public static final String SESSION = HandlerNames.SESSION;

    private InboundPipeline() {}
}
