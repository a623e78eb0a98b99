package dev.isthmus.gateway.io;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Logger;

/**
 * The socket transport of the gateway's event loops: Linux's native epoll, or the JDK's NIO.
 *
 * <p>Epoll makes fewer system calls and less garbage per read and write than NIO (no selected-key set, no
 * {@code ByteBuffer} views, edge-triggered readiness), which matters on a path that is mostly small reads and
 * writes. It needs the native library of {@code netty-transport-native-epoll}, which loads only on Linux on the
 * architecture it was built for; everywhere else, and when asked with {@code -Disthmus.ioTransport=nio},
 * the gateway runs on NIO, and says which one it runs once, at start.
 *
 * <p>A channel must be of the transport of the event loop it is registered on, so whoever opens a channel asks
 * {@link #of(EventLoopGroup)} with the loop it uses rather than assuming one.
 */
public enum IoTransport {
    EPOLL,
    NIO;

    /** The system property that chooses: {@code auto} (the default), {@code epoll} or {@code nio}. */
    public static final String PROPERTY = "isthmus.ioTransport";

    private static final Logger log = Logger.getLogger(IoTransport.class.getName());
    private static volatile IoTransport preferred;

    /** The transport new event loops get: chosen once per JVM from {@link #PROPERTY}, and logged. */
    public static IoTransport preferred() {
        IoTransport chosen = preferred;
        if (chosen == null) {
            synchronized (IoTransport.class) {
                chosen = preferred;
                if (chosen == null) {
                    chosen = choose(System.getProperty(PROPERTY, "auto"));
                    preferred = chosen;
                }
            }
        }
        return chosen;
    }

    /** {@code setting} is {@code auto}, {@code epoll} or {@code nio}; epoll asked for but not loadable falls back, with a reason. */
    static IoTransport choose(String setting) {
        switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "nio" -> {
                log.info(() -> "I/O transport: NIO (" + PROPERTY + "=nio)");
                return NIO;
            }
            case "auto", "epoll" -> {
                if (Epoll.isAvailable()) {
                    log.info("I/O transport: native epoll");
                    return EPOLL;
                }
                Throwable cause = Epoll.unavailabilityCause();
                log.info(() -> "I/O transport: NIO, since native epoll does not load here: " + cause);
                return NIO;
            }
            default -> throw new IllegalArgumentException(
                    PROPERTY + ": " + setting + " (expected: auto, epoll or nio)");
        }
    }

    /** The transport whose channels {@code group}'s event loops take; NIO for anything that is not an epoll loop. */
    public static IoTransport of(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class) ? EPOLL : NIO;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** A group of {@code threads} event loops of this transport. */
    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
    }

    /** A group of {@code threads} event loops of this transport, with threads from {@code threads}. */
    public EventLoopGroup newGroup(int threads, ThreadFactory factory) {
        return new MultiThreadIoEventLoopGroup(threads, factory, ioHandlerFactory());
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
