package dev.isthmus.gateway.http;

import io.netty.channel.Channel;

/** Pauses and resumes reading on an HTTP/1.1 connection, the proxy's backpressure. HTTP/2 streams use flow control instead. */
final class AutoRead {

    private AutoRead() {}

    static void set(Channel channel, boolean read) {
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }
}
