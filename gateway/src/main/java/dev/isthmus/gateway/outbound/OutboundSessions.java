package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.GatewayConfig;
import dev.isthmus.gateway.GatewayMetrics;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.ServerTls;
import dev.isthmus.gateway.upstream.Upstreams;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What every client connection on an outbound listener shares: the route table and link health of the
 * moment (looked up per connection and per request, so a changed route takes effect at once), the
 * pooled connections to remote gateways, and the local path for local backends.
 */
public final class OutboundSessions {

    /** A pooled gateway connection with no stream for this long is closed. */
    static final Duration POOL_IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final Upstreams upstreams;
    private final Supplier<RouteTable> routes;
    private final Supplier<LinkHealth> health;
    private final GatewayDialer dialer;
    private final GatewayPools pools;
    private final HttpSessionInstaller local;
    /** Per listener port: the split's rotation, which every connection on that port takes its turn in. */
    private final Map<Integer, BackendChoice> choices = new ConcurrentHashMap<>();

    /**
     * @param own the gateway's serving TLS, whose credentials the outbound side presents too
     * @param routes the route table of the moment
     * @param health the link health of the moment
     */
    public OutboundSessions(GatewayConfig config, GatewayMetrics metrics, Upstreams upstreams, ServerTls own, Clock clock,
            Supplier<RouteTable> routes, Supplier<LinkHealth> health) {
        this.config = config;
        this.metrics = metrics;
        this.upstreams = upstreams;
        this.routes = routes;
        this.health = health;
        this.dialer = new GatewayDialer(new ClientTls(own, config.handshakeTimeout(), clock), new ReconnectBackoff(System::nanoTime),
                metrics, config.connectTimeout());
        this.pools = new GatewayPools(dialer, POOL_IDLE_TIMEOUT);
        this.local = new HttpSessionInstaller(upstreams, metrics, config.identity(), config.id(), config.requestTimeout(),
                config.requestHeaderTimeout());
    }

    /** The route listening on {@code port} now, or {@code null} when it is gone. */
    OutboundRoute route(int port) {
        return routes.get().outbound(port);
    }

    /** Picks {@code route}'s backend for one request or connection; {@code null} when none can take traffic. */
    Backend choose(OutboundRoute route) {
        if (route.backends().size() == 1) { // a mirror, not a split: no rotation, no lock
            WeightedBackend only = route.backends().get(0);
            return only.weight() > 0 && BackendChoice.canTakeTraffic(only.backend(), health()) ? only.backend() : null;
        }
        return choices.computeIfAbsent(route.port(), port -> new BackendChoice()).pick(route.backends(), health());
    }

    LinkHealth health() {
        return health.get();
    }

    GatewayConfig config() {
        return config;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    Upstreams upstreams() {
        return upstreams;
    }

    GatewayDialer dialer() {
        return dialer;
    }

    GatewayPools pools() {
        return pools;
    }

    /** HTTP to local backends, as the inbound side does it. */
    HttpSessionInstaller local() {
        return local;
    }
}
