package dev.isthmus.gateway.probe;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.RejectedExecutionException;

/**
 * The HTTP/2 connection one link's probes share, kept on the probe's event loop: a probe is one more
 * stream on it, and a new connection is dialed only when there is none. A remote gateway that holds as
 * many connections as its limit allows refuses new ones, healthy as it is; a probe that needed a new
 * connection each time would call it dead and send everything away from it. The connection is given up
 * when a probe over it fails (the next one dials), when the remote gateway sends GOAWAY or ends its side,
 * and when this gateway's client certificate changed, so that the remote one sees the current one.
 */
final class ProbeConnection {

    private final EventLoop loop;
    private Channel channel;
    private SslContext madeWith;

    ProbeConnection(EventLoop loop) {
        this.loop = loop;
    }

    /** The connection to probe over, or {@code null} when a new one must be dialed with {@code tls}. */
    Channel usable(SslContext tls) {
        if (channel != null && (!channel.isActive() || madeWith != tls)) {
            discard();
        }
        return channel;
    }

    /** Keeps {@code connection}, made with {@code tls}, for the next probes; one kept before is closed. */
    void keep(Channel connection, SslContext tls) {
        if (channel == connection) {
            return;
        }
        discard();
        channel = connection;
        madeWith = tls;
        connection.closeFuture().addListener(f -> {
            if (channel == connection) {
                channel = null;
            }
        });
    }

    boolean holds(Channel connection) {
        return connection != null && connection == channel;
    }

    /** Closes the kept connection, if any; the next probe dials. */
    void discard() {
        Channel kept = channel;
        channel = null;
        madeWith = null;
        if (kept != null) {
            kept.close();
        }
    }

    /** Closes the kept connection from any thread: the link is no longer probed. */
    void close() {
        try {
            loop.execute(this::discard);
        } catch (RejectedExecutionException e) {
            // the loop is gone, and the connection with it
        }
    }
}
