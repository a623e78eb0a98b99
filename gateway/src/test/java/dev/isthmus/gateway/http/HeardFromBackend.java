package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A {@link BackendLease.Listener} that writes down what it hears, one line each, and keeps what it read for release. */
final class HeardFromBackend implements BackendLease.Listener {

    final List<String> heard = new ArrayList<>();
    private final List<HttpObject> read = new ArrayList<>();
    private final Function<HttpObject, String> describe;

    /** @param describe how a message read is written down */
    HeardFromBackend(Function<HttpObject, String> describe) {
        this.describe = describe;
    }

    @Override
    public void backendRead(HttpObject msg) {
        read.add(msg);
        heard.add(describe.apply(msg));
    }

    @Override
    public void backendReadComplete() {
        heard.add("read-complete");
    }

    @Override
    public void backendWritable() {
        heard.add("writable");
    }

    @Override
    public void backendClosed() {
        heard.add("closed");
    }

    void releaseAll() {
        read.forEach(ReferenceCountUtil::release);
        read.clear();
    }
}
