package io.netty.handler.codec.http2;

import static java.util.Objects.requireNonNull;

/**
 * The decoder and encoder of one of the gateway's HTTP/2 connections, wired as Netty's
 * {@link AbstractHttp2ConnectionHandlerBuilder} wires them from a connection (Netty 4.2.18), with one difference: the
 * frame writer is the one given. Pass the two to the builder's {@code codec(decoder, encoder)}; the builder then adds
 * the decoder's limits itself (consecutive empty DATA frames, RST_STREAM frames received per window on a server).
 *
 * <p>This class is in Netty's package only to keep two limits the builder adds to the encoder, whose classes are
 * package-private: {@link Http2ControlFrameLimitEncoder} (a peer that makes us queue acknowledgements and resets faster
 * than it reads them is cut off) and, on a server, {@link Http2MaxRstFrameLimitEncoder} (a peer that makes us reset its
 * streams again and again, "MadeYouReset", is cut off). Netty's builder takes no frame writer of its own choosing, and
 * its other way in, {@code codec(...)}, leaves both limits out. The values are the builder's defaults, as is the
 * frame reader's limit on small CONTINUATION frames. {@code Http2ServerSessionTest} holds each of the three on the real
 * session, so an upgrade of Netty that changes this wiring fails there.
 */
public final class GatewayHttp2Codec {

    /** The builder's defaults in Netty 4.2.18. */
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;
    static final int MAX_QUEUED_CONTROL_FRAMES = Http2CodecUtil.DEFAULT_MAX_QUEUED_CONTROL_FRAMES;
    static final int MAX_RST_FRAMES_SENT_PER_WINDOW_BY_A_SERVER = 200;
    static final int RST_WINDOW_SECONDS = 30;

    private final Http2ConnectionDecoder decoder;
    private final Http2ConnectionEncoder encoder;

    /**
     * @param settings the connection's initial settings: their header list size limits the HPACK decoder
     * @param validateRequiredPseudoHeaders whether a request without {@code :method}, {@code :scheme} or {@code :path}
     *     is malformed (a server's choice)
     */
    public GatewayHttp2Codec(Http2Connection connection, Http2Settings settings, Http2FrameWriter writer,
            boolean validateRequiredPseudoHeaders) {
        requireNonNull(connection, "connection");
        requireNonNull(writer, "writer");
        Long maxHeaderListSize = requireNonNull(settings, "settings").maxHeaderListSize();
        Http2FrameReader reader = new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(true,
                maxHeaderListSize == null ? Http2CodecUtil.DEFAULT_HEADER_LIST_SIZE : maxHeaderListSize, -1),
                MAX_SMALL_CONTINUATION_FRAMES);
        Http2ConnectionEncoder limited = new Http2ControlFrameLimitEncoder(new DefaultHttp2ConnectionEncoder(connection, writer),
                MAX_QUEUED_CONTROL_FRAMES);
        if (connection.isServer()) {
            limited = new Http2MaxRstFrameLimitEncoder(limited, MAX_RST_FRAMES_SENT_PER_WINDOW_BY_A_SERVER, RST_WINDOW_SECONDS);
        }
        this.encoder = limited;
        this.decoder = new DefaultHttp2ConnectionDecoder(connection, encoder, reader, Http2PromisedRequestVerifier.ALWAYS_VERIFY,
                true, true, true, validateRequiredPseudoHeaders);
    }

    public Http2ConnectionDecoder decoder() {
        return decoder;
    }

    public Http2ConnectionEncoder encoder() {
        return encoder;
    }
}
