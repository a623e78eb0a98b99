package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.limit.ConnectionLimiter;
import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RouteTable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One plaintext listener per outbound route, following the route table: a new route's port is opened,
 * a port whose route is gone is closed, and the others are left alone. Connections already accepted
 * keep going when their listener closes. Which route a connection serves is looked up when it is
 * accepted and again per request, so a route changed on the same port takes effect without a rebind.
 * All listeners share one connection limit ({@code limits.maxConnections}, as the inbound listener has its
 * own): a client over it is closed before a byte of it is read.
 *
 * <p>A port that cannot be listened on (another process has it, say) does not keep the other routes from being
 * served: it is logged once, counted in {@link #unbound()} (the gauge {@code isthmus.gateway.outbound.listeners.unbound}),
 * and tried again every {@code retry} for as long as its route lasts.
 */
public final class OutboundListeners implements AutoCloseable {

    private static final Logger log = Logger.getLogger(OutboundListeners.class.getName());

    private final OutboundSessions sessions;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Consumer<Channel> accepted;
    private final String host;
    private final ConnectionLimiter limiter;
    private final Duration retry;
    private final Map<Integer, Channel> listening = new HashMap<>();
    /** The routes whose port could not be listened on yet, by port; each is tried again every {@link #retry}. */
    private final Map<Integer, OutboundRoute> unbound = new HashMap<>();
    /** {@code unbound.size()}, for the gauge: read without the lock, which a bind may hold while it waits. */
    private volatile int unboundCount;
    private boolean retryScheduled;
    private boolean started;

    /**
     * @param accepted told of every client connection, so that a drain reaches them too
     * @param retry how often a port that could not be listened on is tried again
     */
    public OutboundListeners(OutboundSessions sessions, EventLoopGroup acceptor, EventLoopGroup workers, Consumer<Channel> accepted,
            String host, ConnectionLimiter limiter, Duration retry) {
        this.sessions = sessions;
        this.acceptor = acceptor;
        this.workers = workers;
        this.accepted = accepted;
        this.host = host;
        this.limiter = limiter;
        this.retry = retry;
    }

    /** Opens the listeners of {@code table}; from now on {@link #update} follows every new table. */
    public synchronized void start(RouteTable table) {
        started = true;
        update(table);
    }

    /** Makes the open listeners those of {@code table}'s outbound routes. Not to be called on an event loop: binding waits. */
    public synchronized void update(RouteTable table) {
        if (!started) {
            return;
        }
        Map<Integer, OutboundRoute> routes = table.outboundRoutes();
        listening.entrySet().removeIf(open -> {
            if (routes.containsKey(open.getKey())) {
                return false;
            }
            log.info(() -> "outbound listener " + host + ":" + open.getKey() + " closed: its route is gone");
            open.getValue().close();
            return true;
        });
        unbound.keySet().retainAll(routes.keySet());
        for (OutboundRoute route : routes.values()) {
            if (!listening.containsKey(route.port())) {
                listen(route);
            }
        }
        unboundCount = unbound.size();
    }

    /**
     * Binds {@code route}'s port and waits for it; under the lock. Never on an event loop, and no event loop code
     * takes this lock: the bind completes on the acceptor's loop.
     */
    private void listen(OutboundRoute route) {
        int port = route.port();
        ChannelFuture bind = bind(port).awaitUninterruptibly();
        if (bind.isSuccess()) {
            listening.put(port, bind.channel());
            boolean retried = unbound.remove(port) != null;
            log.info(() -> "outbound route " + route.name() + " listening on " + host + ":" + port + (retried ? " (its port is free again)" : ""));
            return;
        }
        if (unbound.put(port, route) == null) {
            // Once per route and port, not at every retry.
            log.warning("outbound route " + route.name() + ": cannot listen on " + host + ":" + port + ": " + bind.cause()
                    + "; trying again every " + retry.toMillis() + " ms");
        }
        if (!retryScheduled) {
            retryScheduled = true;
            // Off the event loops, as binding here waits.
            CompletableFuture.runAsync(this::retryUnbound, CompletableFuture.delayedExecutor(retry.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Tries the ports that could not be listened on again; each one still unbound schedules the next try. */
    private synchronized void retryUnbound() {
        retryScheduled = false;
        if (!started) {
            return;
        }
        for (OutboundRoute route : List.copyOf(unbound.values())) {
            listen(route);
        }
        unboundCount = unbound.size();
    }

    private ChannelFuture bind(int port) {
        return new ServerBootstrap()
                .group(acceptor, workers)
                .channel(IoTransport.of(acceptor).serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        accepted.accept(channel);
                        channel.pipeline().addLast(OutboundPipeline.LIMIT, limiter);
                        channel.pipeline().addLast(OutboundPipeline.SESSION, new SessionDetector(port, sessions));
                        PipelineTail.addTo(channel.pipeline());
                    }
                })
                .bind(host, port);
    }

    /** The ports listened on now. */
    public synchronized Set<Integer> ports() {
        return new TreeSet<>(listening.keySet());
    }

    /** How many outbound routes have no listener, because their port could not be listened on. */
    public int unbound() {
        return unboundCount;
    }

    @Override
    public synchronized void close() {
        started = false;
        unbound.clear();
        unboundCount = 0;
        listening.values().forEach(channel -> channel.close().awaitUninterruptibly());
        listening.clear();
    }
}
