package dev.isthmus.gateway.warmup;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The warm-up's new connections: mTLS connections to a gateway's inbound port, one at a time, each dialed with
 * the {@link PeerGatewayConnector} that traffic and probes use, closed as soon as its handshake is done and its
 * transport header sent, until {@code count} were made or {@link #close}.
 *
 * <p>The request load ({@link LoopbackLoad}) keeps its connections, so without these a warm-up made a handful of
 * handshakes. The Java part of a handshake (the peer's chain checked by the JDK's ECDSA, the identity, the
 * pipelines built and torn down) then met the JIT's thresholds only with the real gateway's first connections: the
 * JDK's P-256 arithmetic was compiled by C2 for about a second of compiler time in each gateway, in the first two
 * seconds of real load ({@code GatewayLoad warmup} with JFR's {@code jdk.Compilation} events, benchmarks/README.md).
 * A connection that fails ends the loop: a broken path is not dialed again and again.
 */
public final class LoopbackHandshakes implements AutoCloseable {

    /** Joins a connection after its transport header is written; the connection is closed by then or soon after. */
    @ChannelHandler.Sharable
    private static final class Nothing extends ChannelInboundHandlerAdapter {
        static final Nothing INSTANCE = new Nothing();
    }

    private final PeerGatewayConnector connector;
    private final EventLoop loop;
    private final Endpoint gateway;
    private final SpiffeId peer;
    private final TransportHeader header;
    private final long count;
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Future<Channel> dialing;
    private volatile Channel current;

    /**
     * Starts dialing at once, on {@code loop}.
     *
     * @param gateway the gateway's inbound address, which must prove it is {@code peer}
     * @param header the transport header each connection sends before it closes
     * @param count how many connections to make, at least 1
     */
    public LoopbackHandshakes(PeerGatewayConnector connector, EventLoop loop, Endpoint gateway, SpiffeId peer,
            TransportHeader header, long count) {
        this.connector = requireNonNull(connector, "connector");
        this.loop = requireNonNull(loop, "loop");
        this.gateway = requireNonNull(gateway, "gateway");
        this.peer = requireNonNull(peer, "peer");
        this.header = requireNonNull(header, "header");
        if (count < 1) {
            throw new IllegalArgumentException("handshakes: " + count + " (expected: at least 1)");
        }
        this.count = count;
        dial();
    }

    /** Connections whose handshake succeeded so far. */
    public long made() {
        return made.get();
    }

    /** Connections that failed: at most one, after which no other is dialed. */
    public long failed() {
        return failed.get();
    }

    /** Waits up to {@code timeout} for the loop to end (all made, one failed, or closed); true if it has. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    /** Stops dialing, cancels the dial in flight or closes the connection it made, and returns once the loop has ended. */
    @Override
    public void close() {
        running = false;
        Future<Channel> dial = dialing;
        if (dial != null) {
            dial.cancel(false); // the connector closes its channel
        }
        Channel open = current;
        if (open != null) {
            open.close();
        }
        try {
            if (!ended.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("warm-up handshakes: the connection in flight did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dial() {
        if (!running || made.get() >= count) {
            ended.countDown();
            return;
        }
        Future<Channel> dial = connector.connect(loop, gateway, peer, header, Nothing.INSTANCE);
        dialing = dial;
        dial.addListener((Future<Channel> connected) -> {
            if (!connected.isSuccess()) {
                if (!connected.isCancelled()) { // cancelled: by close()
                    failed.incrementAndGet();
                }
                ended.countDown();
                return;
            }
            made.incrementAndGet();
            Channel channel = connected.getNow();
            current = channel;
            // The header waits in TLS's queue until the handshake is done: an empty write behind it completes once the
            // header is written, and only then does the connection close (closing at once dropped the header).
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> channel.close().addListener(closed -> {
                current = null;
                dial();
            }));
        });
    }
}
