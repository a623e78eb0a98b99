package dev.isthmus.benchmarks.load;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * New connections in a loop, on one event loop: each of {@code slots} chains opens a peer session
 * (handshake, transport header, the gateway's SETTINGS), counts it, closes it and opens the next. All
 * state is the loop's own; the harness reads it through {@code executor().submit}.
 */
final class HandshakeLoop {

    record Window(long opened, long failed, long nanos, LatencySamples latencies, String lastFailure, String keyExchange) {}

    private static final Http2FrameAdapter IGNORE_FRAMES = new Http2FrameAdapter();

    private final EventLoop executor;
    private final SocketAddress gateway;
    /** One client context per certificate the generator presents, used in turn. */
    private final List<SslContext> tls;
    private int nextTls;
    private final List<SocketAddress> sources;
    private int nextSource;
    private boolean running;
    private int chains;
    private boolean inWindow;
    private long windowStart;
    private long opened;
    private long failed;
    private String lastFailure;
    /** The key exchange group of the last connection in the window, as BoringSSL names it. */
    private String keyExchange;
    private LatencySamples latencies = new LatencySamples();

    /**
     * @param tls client contexts, each presenting its own certificate, used in turn
     * @param sources local addresses to open from, in turn; empty for any
     */
    HandshakeLoop(EventLoop executor, SocketAddress gateway, List<SslContext> tls, List<SocketAddress> sources) {
        this.executor = executor;
        this.gateway = gateway;
        this.tls = tls;
        this.sources = sources;
    }

    EventLoop executor() {
        return executor;
    }

    void start(int slots) {
        running = true;
        for (int i = 0; i < slots; i++) {
            chains++;
            openNext();
        }
    }

    private void openNext() {
        if (!running) {
            chains--;
            return;
        }
        long start = System.nanoTime();
        SocketAddress local = sources.isEmpty() ? null : sources.get(nextSource++ % sources.size());
        SslContext context = tls.get(nextTls);
        nextTls = (nextTls + 1) % tls.size();
        PeerConnection.open(executor, gateway, local, context, IGNORE_FRAMES).addListener(f -> {
            if (f.isSuccess()) {
                Channel channel = (Channel) f.getNow();
                if (inWindow) {
                    opened++;
                    latencies.add(System.nanoTime() - start);
                    if (keyExchange == null) {
                        keyExchange = keyExchange(channel);
                    }
                }
                channel.close();
                openNext();
            } else {
                if (inWindow) {
                    failed++;
                }
                lastFailure = String.valueOf(f.cause());
                executor.schedule(this::openNext, 10, TimeUnit.MILLISECONDS); // no hot loop on a persistent failure
            }
        });
    }

    void startWindow() {
        inWindow = true;
        windowStart = System.nanoTime();
        opened = 0;
        failed = 0;
        keyExchange = null;
        latencies = new LatencySamples();
    }

    Window endWindow() {
        inWindow = false;
        return new Window(opened, failed, System.nanoTime() - windowStart, latencies, lastFailure, keyExchange);
    }

    /**
     * The group the handshake of {@code channel} agreed on (X25519MLKEM768, X25519, P-256…): by default Netty offers
     * the post-quantum hybrid first, and {@code -Djdk.tls.namedGroups} changes what both ends offer and accept.
     */
    static String keyExchange(Channel channel) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null || !(tls.engine() instanceof ReferenceCountedOpenSslEngine engine)) {
            return "not reported by the JDK's TLS";
        }
        try {
            return SSL.getGroupName(engine.sslPointer());
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    void stop() {
        running = false;
    }

    /** Chains still running: each ends at its next connection once stopped. */
    int chains() {
        return chains;
    }
}
