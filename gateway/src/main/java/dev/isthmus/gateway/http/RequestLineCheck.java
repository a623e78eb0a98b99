package dev.isthmus.gateway.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Logger;

/**
 * Resets, with {@code PROTOCOL_ERROR}, an HTTP/2 request whose {@code :method} or {@code :path} could not
 * be an HTTP/1 request line (empty method, a space or control character in either): a malformed request,
 * a stream error (RFC 9113 §8.1.1). It sits in front of the conversion to HTTP/1 objects because
 * Netty's conversion leaks on exactly these: for a HEADERS frame that ends the stream it allocates the
 * request's body buffer first and then lets the request line's validation throw, with nothing left to
 * release the buffer (Netty 4.2.18, {@code HttpConversionUtil.toFullHttpRequest}). One leaked buffer per
 * such request would let any client exhaust the gateway's direct memory. The peer sees the same reset as
 * before; only the buffer is never made.
 */
@Sharable
final class RequestLineCheck extends ChannelInboundHandlerAdapter {

    static final RequestLineCheck INSTANCE = new RequestLineCheck();

    private static final Logger log = Logger.getLogger(RequestLineCheck.class.getName());

    private RequestLineCheck() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame frame && !valid(frame.headers())) {
            ReferenceCountUtil.release(msg);
            log.fine(() -> "resetting " + ctx.channel() + ": request line :method " + frame.headers().method() + " :path "
                    + frame.headers().path() + " (expected: a token and a target without spaces or control characters)");
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Trailers and responses carry neither pseudo-header, and pass. */
    static boolean valid(Http2Headers headers) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        if (method == null && path == null) {
            return true;
        }
        return method != null && method.length() > 0 && printable(method) && (path == null || printable(path));
    }

    private static boolean printable(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
