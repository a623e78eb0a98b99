package dev.isthmus.gateway.peer;

import dev.isthmus.gateway.transport.TransportHeader;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Writes the transport header as the first bytes of a gateway connection, then makes way for the
 * session's handlers. They join the pipeline only after the header is written: an HTTP/2 codec writes
 * its preface as soon as it sees an active channel, and that must not overtake the header. TLS holds
 * all of it until the handshake is done.
 */
final class TransportHeaderWriter extends ChannelInboundHandlerAdapter {

    private final TransportHeader header;
    private final ChannelHandler session;

    TransportHeaderWriter(TransportHeader header, ChannelHandler session) {
        this.header = header;
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(header.encode(ctx.alloc()), ctx.voidPromise());
        ctx.pipeline().replace(this, null, session);
        ctx.fireChannelActive();
    }
}
