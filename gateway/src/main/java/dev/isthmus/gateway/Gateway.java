package dev.isthmus.gateway;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.admin.AdminServer;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.inbound.InboundInitializer;
import dev.isthmus.gateway.limit.ConnectionLimiter;
import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.outbound.OutboundListeners;
import dev.isthmus.gateway.outbound.OutboundSessions;
import dev.isthmus.gateway.outbound.OutboundSettings;
import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.pipeline.Drain;
import dev.isthmus.gateway.probe.LinkProbes;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.gateway.tls.ServerTls;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One gateway: the inbound mTLS listener, the outbound listeners, the admin listener, and the state they
 * share — the TLS context of the moment, the route table of the moment, the upstream connections and the
 * metrics. Credentials and routes are pushed in by whoever owns them (files, the identity issuer,
 * Kubernetes).
 *
 * <p>It is the composition root: the constructor builds every collaborator once, in dependency order, and
 * hands each to the parts that use it (one {@link HttpSessionInstaller}, so one set of backend pools, for
 * both sides). Nothing below this package imports it; nothing receives the gateway to read its parts back.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = Logger.getLogger(Gateway.class.getName());
    /** How often an outbound route's port that could not be listened on is tried again. */
    static final Duration OUTBOUND_BIND_RETRY = Duration.ofSeconds(5);

    private final GatewayConfig config;
    private final PrometheusMeterRegistry registry;
    private final GatewayMetrics metrics;
    private final ServerTls tls;
    private final Upstreams upstreams;
    private final HttpSessions inboundHttp;
    private final EventLoopGroup acceptor = IoTransport.preferred().newGroup(1);
    private final EventLoopGroup workers;
    private final ChannelGroup connections = new DefaultChannelGroup("isthmus-inbound", GlobalEventExecutor.INSTANCE);
    private final AdminServer admin;
    private volatile RouteTable routes;
    private final OutboundListeners outbound;
    private final LinkProbes probes;
    private volatile LinkHealth linkHealth;
    private Channel listener;
    private int inboundPort;
    private int adminPort;

    public Gateway(GatewayConfig config, PrometheusMeterRegistry registry, Clock clock) {
        this(config, registry, clock, Optional.empty());
    }

    /**
     * A gateway whose inbound side hands HTTP sessions to {@code inboundHttp} instead of proxying them:
     * for tests of the handshake, the policy and routing alone. The outbound side still proxies.
     */
    public Gateway(GatewayConfig config, PrometheusMeterRegistry registry, Clock clock, HttpSessions inboundHttp) {
        this(config, registry, clock, Optional.of(inboundHttp));
    }

    private Gateway(GatewayConfig config, PrometheusMeterRegistry registry, Clock clock, Optional<HttpSessions> inboundHttp) {
        this.config = requireNonNull(config, "config");
        this.registry = requireNonNull(registry, "registry");
        requireNonNull(clock, "clock");
        this.metrics = new GatewayMetrics(registry);
        this.tls = new ServerTls(TlsProviders.preferred(), config.handshakeTimeout(), config.keyExchange(), clock);
        this.upstreams = new Upstreams(new LoadBalancer(), config.connectTimeout());
        this.workers = IoTransport.preferred().newGroup(config.ioThreads());
        HttpSessionInstaller http = new HttpSessionInstaller(upstreams, metrics, config.identity(), config.id(),
                config.requestTimeout(), config.requestHeaderTimeout(), this::routes);
        this.inboundHttp = inboundHttp.orElse(http);
        // One connector to peer gateways, with one cache of client contexts: outbound traffic and probes dial
        // the same way and present the same credentials.
        PeerGatewayConnector peers = new PeerGatewayConnector(
                ClientContexts.current(tls::credentials, tls::anchors, tls.provider(), config.keyExchange(), clock),
                config.connectTimeout(),
                config.handshakeTimeout());
        this.probes = new LinkProbes(workers, peers, config.probe(), registry, clock);
        this.admin = new AdminServer(registry, this::notReadyReason, () -> probes.statuses().values(), metrics.tap(),
                this::routes);
        this.linkHealth = probes;
        OutboundSettings outboundSettings = new OutboundSettings(config.id(), config.detectTimeout(), config.requestTimeout(),
                config.requestHeaderTimeout());
        this.outbound = new OutboundListeners(new OutboundSessions(outboundSettings, metrics, upstreams, http, peers,
                this::routes, () -> linkHealth), acceptor, workers, connections::add, config.outboundHost(),
                ConnectionLimiter.outbound(config.maxConnections(), metrics), OUTBOUND_BIND_RETRY);
        metrics.gauge("isthmus.gateway.outbound.listeners.unbound",
                "Outbound routes without a listener: their port could not be listened on (tried again every 5 s)",
                outbound, OutboundListeners::unbound);
        metrics.gauge("isthmus.gateway.certificate.expiry.seconds", "Seconds until the serving certificate expires",
                tls, ServerTls::secondsUntilExpiry);
        metrics.gauge("isthmus.gateway.routes", "Exported services in the route table", this,
                g -> g.routes == null ? 0 : g.routes.size());
    }

    public GatewayConfig config() {
        return config;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** Where new credentials go: {@code tls().update(key, anchors)}. */
    public ServerTls tls() {
        return tls;
    }

    /** Replaces the route table; connections already routed keep their session. Outbound listeners follow it. */
    public void routes(RouteTable table) {
        this.routes = requireNonNull(table, "table");
        outbound.update(table);
        probes.follow(table);
    }

    /** Replaces the gateway probe as the judge of which links are alive (tests drive failover this way). */
    public void linkHealth(LinkHealth health) {
        this.linkHealth = requireNonNull(health, "health");
    }

    /** The probes of the links in the route table: alive or dead, latency, last error. */
    public LinkProbes probes() {
        return probes;
    }

    /** The ports of the outbound listeners open now. */
    public Set<Integer> outboundPorts() {
        return outbound.ports();
    }

    public RouteTable routes() {
        RouteTable current = routes;
        return current == null ? RouteTable.EMPTY : current;
    }

    /** {@code null} when ready; otherwise what is missing. */
    public String notReadyReason() {
        if (!tls.ready()) {
            return "no TLS certificate yet";
        }
        if (routes == null) {
            return "no routes loaded yet";
        }
        if (listener == null || !listener.isActive()) {
            return "not listening";
        }
        return null;
    }

    public Gateway start() throws InterruptedException {
        InboundInitializer inbound = new InboundInitializer(new ConnectionLimiter(config.maxConnections(), metrics), tls,
                config.policy(), this::routes, upstreams, inboundHttp, metrics, config.idleTimeout(),
                config.headerTimeout());
        listener = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(IoTransport.of(acceptor).serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        channel.pipeline().addLast(inbound);
                    }
                })
                .bind(config.inboundHost(), config.inboundPort()).sync().channel();
        inboundPort = ((InetSocketAddress) listener.localAddress()).getPort();
        outbound.start(routes());
        adminPort = admin.start(acceptor, config.adminHost(), config.adminPort());
        log.info(() -> "gateway " + config.identity() + " (Forwarded by=" + config.id() + ") listening on " + config.inboundHost() + ":" + inboundPort
                + " (mTLS, " + tls.provider() + ", key exchange: " + config.keyExchange() + "), admin on " + config.adminHost() + ":"
                + adminPort);
        return this;
    }

    public int inboundPort() {
        return inboundPort;
    }

    public int adminPort() {
        return adminPort;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    /**
     * Stops accepting, asks every connection to finish what it is doing, waits up to {@code deadline}
     * for them to close, then closes the rest.
     */
    public void drain(Duration deadline) {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        outbound.close();
        connections.forEach(channel -> channel.pipeline().fireUserEventTriggered(Drain.EVENT));
        long until = System.nanoTime() + deadline.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!connections.isEmpty()) {
            log.info(() -> "drain deadline passed; closing " + connections.size() + " connection(s)");
        }
        connections.close().awaitUninterruptibly();
    }

    @Override
    public void close() {
        drain(config.drainTimeout());
        probes.close();
        admin.close();
        metrics.close();
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
