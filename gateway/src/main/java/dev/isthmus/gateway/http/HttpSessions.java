package dev.isthmus.gateway.http;

import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import io.netty.channel.ChannelHandlerContext;

/**
 * Turns a routed connection whose transport header names an HTTP session protocol into an HTTP proxy.
 * Called on the connection's event loop; replaces the {@code session} handler.
 */
public interface HttpSessions {

    /** Proxies every request of the connection to {@code service}. */
    void proxy(ChannelHandlerContext ctx, TransportHeader header, ExportedService service, SpiffeId peer);

    /** Answers every request of the connection with {@code status}, saying {@code reason}. */
    void refuse(ChannelHandlerContext ctx, TransportHeader header, int status, String reason);

    /**
     * Answers the gateway probe ({@link dev.isthmus.gateway.transport.ProbeTarget}) itself. Sessions that do
     * not know the probe refuse it, as they would any target they cannot serve.
     */
    default void answerProbe(ChannelHandlerContext ctx, TransportHeader header) {
        refuse(ctx, header, 404, header.target() + " is not answered by this gateway");
    }
}
