package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpContent;

/**
 * One request and its response, as the {@link HttpProxyHandler} of the inbound side drives it. The
 * handler feeds it the request body; it answers through the handler's {@code respond} methods.
 */
public interface Exchange {

    /** The metrics label of where the request went ({@link Destination#label()}); {@code none} when nowhere. */
    default String destination() {
        return "none";
    }

    /** Starts the exchange; the request head (and its content, if it is a full request) now belongs to it. */
    void start();

    /** The next piece of the request body, the last one a {@code LastHttpContent}; it belongs to the exchange now. */
    void requestContent(HttpContent content);

    /** False while more request body would have nowhere to go: still connecting, or the backend cannot take more. */
    boolean wantsRequestContent();

    /** The inbound side finished a read; what was written on may be flushed. */
    void inboundReadComplete();

    /** The inbound side can take more of the response again. */
    void inboundWritable();

    /** The inbound side is gone; whatever is still open with the backend is given up. */
    void inboundClosed();
}
