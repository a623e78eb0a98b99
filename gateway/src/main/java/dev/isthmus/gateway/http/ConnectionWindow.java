package dev.isthmus.gateway.http;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;

/**
 * Widens an HTTP/2 connection's receive window beyond the 64 KiB every connection starts with. A
 * stream whose reader paused (the other side of the proxy is slow) keeps its unread bytes counted
 * against the connection window as well as its own; with only 64 KiB, one such stream would stall
 * every other stream of the connection. Per-stream windows stay at the default, so memory per stream
 * stays bounded. Inbound sessions widen it once their codec is in ({@link HttpSessionInstaller}), the
 * backend pools' connections once their preface is out ({@link Http2ClientSession}).
 */
final class ConnectionWindow {

    private ConnectionWindow() {}

    /**
     * Widens the window of a connection whose preface was sent.
     *
     * @return whether a WINDOW_UPDATE was written, which the caller flushes
     */
    static boolean widen(Http2Connection connection, int size) throws Http2Exception {
        Http2LocalFlowController flow = connection.local().flowController();
        int delta = size - flow.initialWindowSize(connection.connectionStream());
        if (delta > 0) {
            flow.incrementWindowSize(connection.connectionStream(), delta);
            return true;
        }
        return false;
    }
}
