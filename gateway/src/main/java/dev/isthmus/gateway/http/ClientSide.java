package dev.isthmus.gateway.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What an {@link Exchange} may ask of the client side of its session, and nothing more: answer, cut off,
 * flush, and say when it wants more of the request body. {@link HttpProxyHandler} is the one
 * implementation; exchanges see this, so the handler's other methods stay its own business. All calls
 * come on {@link #eventLoop()}.
 */
public interface ClientSide {

    /** The head of the final response; its content follows through {@link #respondContent}, unless it is a full one. */
    void respond(HttpResponse head);

    /** A {@code 100 Continue}, which the client may wait for before it sends the body. */
    void respondInterim(FullHttpResponse interim);

    /** A piece of the response body; a {@code LastHttpContent} ends the response. */
    void respondContent(HttpContent content);

    /** Answers with an error of the gateway's own, or, when the response already started, cuts it off. */
    void fail(int status, String reason);

    /** Ends the client side abruptly: the HTTP/1.1 connection closes, or the HTTP/2 stream is reset. */
    void abort(String reason);

    void flush();

    /** False while the client's connection cannot take more without buffering: the exchange stops reading the backend. */
    boolean writable();

    /** The exchange's appetite for request body changed; the client side reads, or stops reading, accordingly. */
    void readingChanged();

    EventLoop eventLoop();

    ByteBufAllocator alloc();
}
