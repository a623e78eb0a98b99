package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.gateway.metrics.GatewayMetrics.Rejection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Logger;

/**
 * Checks that an HTTP/2 session starts with the client connection preface, before the frame codec sees
 * a byte, and answers anything else with {@code GOAWAY PROTOCOL_ERROR} and a close (RFC 9113 §3.4).
 * Netty's codec checks the preface too, but when the bytes hold {@code HTTP/1.} and came in the same
 * read as the transport header, its check fails with an IndexOutOfBoundsException, which goes to the
 * peer as {@code INTERNAL_ERROR} with the exception's message, and on to the pipeline's tail (issue
 * 10, item 9). The GOAWAY says only what was wrong, nothing of the gateway's insides, and the session
 * counts it as a malformed request. Leaves once the preface has passed.
 */
final class Http2PrefaceCheck extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(Http2PrefaceCheck.class.getName());

    static final byte[] DEBUG_DATA = "invalid connection preface".getBytes(US_ASCII);
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);

    private final RequestMetrics requests;
    private int matched;
    private boolean refused;

    Http2PrefaceCheck(RequestMetrics requests) {
        this.requests = requests;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || refused) {
            if (refused) {
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
            return;
        }
        int count = Math.min(in.readableBytes(), PREFACE.length - matched);
        for (int i = 0; i < count; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[matched + i]) {
                in.release();
                refuse(ctx);
                return;
            }
        }
        matched += count;
        ctx.fireChannelRead(in);
        if (matched == PREFACE.length && ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
        }
    }

    private void refuse(ChannelHandlerContext ctx) {
        refused = true;
        requests.rejected(Rejection.MALFORMED_REQUEST);
        log.fine(() -> "closing " + ctx.channel() + ": no HTTP/2 connection preface");
        ByteBuf goAway = ctx.alloc().buffer(Http2CodecUtil.FRAME_HEADER_LENGTH + 8 + DEBUG_DATA.length);
        goAway.writeMedium(8 + DEBUG_DATA.length);
        goAway.writeByte(Http2FrameTypes.GO_AWAY);
        goAway.writeByte(0);
        goAway.writeInt(0);
        goAway.writeInt(0); // no stream was processed
        goAway.writeInt((int) Http2Error.PROTOCOL_ERROR.code());
        goAway.writeBytes(DEBUG_DATA);
        // Written from here, the GOAWAY and the close pass only the handlers in front of this one: the codec
        // behind it, which never saw a valid preface, adds no GOAWAY of its own.
        ctx.writeAndFlush(goAway).addListener(written -> ctx.close());
    }
}
