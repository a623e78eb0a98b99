package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.pipeline.HandlerNames;

/**
 * Names of the outbound handlers. A client connection on an outbound listener:
 * <pre>
 * limit      ConnectionLimiter   refuses clients over the outbound listeners' limit, counts open ones, then leaves
 * session    SessionDetector     reads the first bytes, then is replaced by the session's handlers:
 *                                  HTTP/1.1  http-bytes, http-codec HttpServerCodec, http-guard Http1RequestGuard,
 *                                            session HttpProxyHandler
 *                                  HTTP/2    h2-close, h2-preface, session Http2ServerSession, h2-idle
 *                                  opaque    session PendingRelay (OpaqueTunnel dials), then Relay
 * tail       PipelineTail        counts and logs what no handler dealt with (every pipeline ends in it)
 * </pre>
 * A connection to a remote gateway is {@code peer.PeerGatewayConnector}'s ({@code tls}, {@code header}, then the
 * session's handlers: the HTTP/2 client codec and pool bookkeeping, or a Relay).
 * The client side's {@code session} has the inbound side's name because the same HTTP session
 * installer replaces it on both.
 */
final class OutboundPipeline {
    static final String LIMIT = HandlerNames.LIMIT;
    static final String SESSION = HandlerNames.SESSION;

    private OutboundPipeline() {}
}
