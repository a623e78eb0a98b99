package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpContent;

/**
 * An exchange the gateway answers itself, with no backend: what it answers is its subclass's
 * {@link #start()}. The request body is read and dropped as it comes, so the connection stays usable
 * for the next request, and there is nothing to flush, pause or give up.
 */
abstract class LocalExchange implements Exchange {

    @Override
    public final void requestContent(HttpContent content) {
        content.release();
    }

    @Override
    public final boolean wantsRequestContent() {
        return true;
    }

    @Override
    public final void inboundReadComplete() {}

    @Override
    public final void inboundWritable() {}

    @Override
    public final void inboundClosed() {}
}
