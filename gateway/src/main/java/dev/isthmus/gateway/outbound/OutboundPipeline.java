package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.pipeline.HandlerNames;

/**
 * Names of the outbound handlers. A client connection on an outbound listener:
 * <pre>
 * limit      ConnectionLimiter   refuses clients over the outbound listeners' limit, counts open ones, then leaves
 * session    SessionDetector     reads the first bytes, then is replaced by the session's handlers:
 *                                  HTTP/1.1  http-bytes, http-codec HttpServerCodec, http-guard Http1RequestGuard,
 *                                            session HttpProxyHandler
 *                                  HTTP/2    h2-close, h2-preface, h2-codec, h2-window, session Http2MultiplexHandler, h2-end
 *                                  opaque    session OpaqueTunnel, then Relay
 * tail       PipelineTail        counts and logs what no handler dealt with (every pipeline ends in it)
 * </pre>
 * A connection to a remote gateway:
 * <pre>
 * tls        SslHandler               TLS 1.3, SNI and the exact peer identity
 * header     TransportHeaderWriter    writes the transport header first, then is replaced by
 *            the session's handlers   HTTP/2 client codec and pool bookkeeping, or a Relay
 * </pre>
 * The client side's {@code session} has the inbound side's name because the same HTTP session
 * installer replaces it on both.
 */
final class OutboundPipeline {
    static final String LIMIT = HandlerNames.LIMIT;
    static final String SESSION = HandlerNames.SESSION;
    static final String TLS = HandlerNames.TLS;
    static final String HEADER = "header";

    private OutboundPipeline() {}
}
