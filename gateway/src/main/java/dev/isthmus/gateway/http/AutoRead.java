package dev.isthmus.gateway.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Pauses and resumes reading on a channel, the proxy's backpressure. On an HTTP/2 stream, resuming
 * outside the connection's own read makes the stream send WINDOW_UPDATE for what it now consumes, but
 * Netty leaves that frame unflushed on the connection; without the flush here the sender would wait
 * for credit forever.
 */
final class AutoRead {

    private AutoRead() {}

    static void set(Channel channel, boolean read) {
        if (channel.config().isAutoRead() == read) {
            return;
        }
        channel.config().setAutoRead(read);
        if (read && channel instanceof Http2StreamChannel stream) {
            stream.parent().flush();
        }
    }
}
