package dev.isthmus.gateway.outbound;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.http.Forwarder;
import dev.isthmus.gateway.http.Http2Pool;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.gateway.http.HttpUpstream;
import dev.isthmus.gateway.http.RequestMetrics;
import dev.isthmus.gateway.http.Responder;
import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What every client connection on an outbound listener shares: the route table and link health of the
 * moment (looked up per connection and per request, so a changed route takes effect at once), the
 * pooled connections to remote gateways, and the local path for local backends. Its methods are what a
 * session does (choose a backend, pick a gateway, dial, pool, answer locally), not its parts, so a
 * session never reaches through it to a collaborator's collaborator.
 */
public final class OutboundSessions {

    /** A pooled gateway connection with no stream for this long is closed. */
    static final Duration POOL_IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final OutboundSettings settings;
    private final GatewayMetrics metrics;
    private final Upstreams upstreams;
    private final Supplier<RouteTable> routes;
    private final Supplier<LinkHealth> health;
    private final ReconnectBackoff backoff;
    private final GatewayDialer dialer;
    private final GatewayPools pools;
    private final HttpSessionInstaller local;
    /** Per listener port: the split's rotation, which every connection on that port takes its turn in. */
    private final Map<Integer, BackendChoice> choices = new ConcurrentHashMap<>();

    /**
     * @param local the gateway's HTTP sessions, whose backend pools the inbound side uses too
     * @param connector the gateway's one connector to peer gateways, which the probes share
     * @param routes the route table of the moment
     * @param health the link health of the moment
     */
    public OutboundSessions(OutboundSettings settings, GatewayMetrics metrics, Upstreams upstreams, HttpSessionInstaller local,
            PeerGatewayConnector connector, Supplier<RouteTable> routes, Supplier<LinkHealth> health) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.local = requireNonNull(local, "local");
        this.routes = requireNonNull(routes, "routes");
        this.health = requireNonNull(health, "health");
        this.backoff = new ReconnectBackoff(System::nanoTime);
        this.dialer = new GatewayDialer(requireNonNull(connector, "connector"), backoff, metrics);
        this.pools = new GatewayPools(dialer, POOL_IDLE_TIMEOUT);
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

    /** The address of {@code remote}'s gateway to try next: one not backing off after a failure, if any. */
    Endpoint gatewayFor(RemoteTarget remote) {
        return backoff.choose(remote.gateways(), remote.gatewayIdentity());
    }

    /** A new connection to {@code gateway} for an opaque session, answered by {@code session}. */
    Future<Channel> dialOpaque(EventLoop loop, RemoteTarget remote, Endpoint gateway, ChannelHandler session) {
        return dialer.dial(loop, remote, gateway, SessionProtocol.OPAQUE, session);
    }

    /** The pooled HTTP/2 connections of {@code loop} to {@code gateway} for {@code remote}. */
    HttpUpstream pool(EventLoop loop, RemoteTarget remote, Endpoint gateway) {
        return pools.pool(loop, remote, gateway);
    }

    /** HTTP to a local backend, as the inbound side does it. */
    Responder localService(ExportedService service, Forwarder forwarder) {
        return local.localService(service, forwarder);
    }

    /** A new connection to a ready instance of the local {@code service}, answered by {@code session}. */
    Future<Channel> connectLocal(EventLoop loop, ExportedService service, ChannelHandler session) {
        LoadBalancer balancer = upstreams.balancer();
        Endpoint endpoint = balancer.pick(service.readyEndpoints());
        balancer.started(endpoint);
        Future<Channel> connected = Http2Pool.connected(upstreams.connect(loop, endpoint, session));
        connected.addListener(f -> balancer.finished(endpoint, f.isSuccess()));
        return connected;
    }

    /** The {@code Forwarded} element and loop check for requests of the client at {@code clientNode}. */
    Forwarder forwarder(String clientNode) {
        return new Forwarder(settings.id(), clientNode, "http", metrics, settings.requestTimeout());
    }

    /** The meters of the requests on the route named {@code route}. */
    RequestMetrics requests(String route) {
        return RequestMetrics.outbound(metrics, route);
    }

    Duration detectTimeout() {
        return settings.detectTimeout();
    }

    Duration requestHeaderTimeout() {
        return settings.requestHeaderTimeout();
    }
}
