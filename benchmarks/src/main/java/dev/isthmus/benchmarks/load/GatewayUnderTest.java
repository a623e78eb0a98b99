package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A real {@link Gateway} on 127.0.0.1, as production builds it (mTLS with the preferred provider, the
 * HTTP sessions of {@link HttpSessionInstaller}, metrics), with the routes a mode gives it: usually one
 * exported service whose only endpoint is the load run's backend ({@link #exporting}); for the cross-cluster
 * path, a west gateway with outbound routes to an east one ({@link #mirroring}). Outbound listeners, if any,
 * listen on 127.0.0.1.
 */
final class GatewayUnderTest implements AutoCloseable {

    static final String SERVICE = "backend.load.svc.cluster.local";
    static final int SERVICE_PORT = 8080;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Gateway gateway;

    /**
     * The gateway of {@link LoadPki#GATEWAY} exporting {@link #SERVICE} to the backend on {@code backendPort}.
     *
     * @param ioThreads the gateway's I/O threads; 1 makes every figure a per-core one
     * @param backendPort where the exported service's endpoint listens (nothing needs to, if no request is made)
     */
    GatewayUnderTest(CertifiedKey key, TrustAnchors anchors, int ioThreads, int backendPort, int maxConnections,
            Duration idleTimeout) throws InterruptedException {
        this(key, anchors, ioThreads, backendPort, maxConnections, idleTimeout, KeyExchange.DEFAULT);
    }

    /** The same, offering and accepting the key exchanges of {@code keyExchange} (the gateway file's {@code tls.keyExchange}). */
    GatewayUnderTest(CertifiedKey key, TrustAnchors anchors, int ioThreads, int backendPort, int maxConnections,
            Duration idleTimeout, KeyExchange keyExchange) throws InterruptedException {
        this(LoadPki.GATEWAY, key, anchors, ioThreads, exporting(backendPort), maxConnections, idleTimeout, keyExchange);
    }

    /**
     * @param identity the identity in {@code key}'s certificate, which the gateway serves as
     * @param ioThreads the gateway's I/O threads, shared by inbound, outbound listeners and probes
     * @param routes what it exports and which outbound listeners it opens
     */
    GatewayUnderTest(SpiffeId identity, CertifiedKey key, TrustAnchors anchors, int ioThreads, RouteTable routes,
            int maxConnections, Duration idleTimeout) throws InterruptedException {
        this(identity, key, anchors, ioThreads, routes, maxConnections, idleTimeout, KeyExchange.DEFAULT);
    }

    private GatewayUnderTest(SpiffeId identity, CertifiedKey key, TrustAnchors anchors, int ioThreads, RouteTable routes,
            int maxConnections, Duration idleTimeout, KeyExchange keyExchange) throws InterruptedException {
        GatewayConfig config = GatewayConfig.builder()
                .inbound("127.0.0.1", 0)
                .admin("127.0.0.1", 0)
                .outboundHost("127.0.0.1")
                .identity(identity)
                .ioThreads(ioThreads)
                .maxConnections(maxConnections)
                .idleTimeout(idleTimeout)
                // The modes alternate targets, so a target's keep-alive connections wait through the other's phases;
                // the default 10 s would close them between requests and leave nothing to measure.
                .requestHeaderTimeout(idleTimeout)
                .drainTimeout(Duration.ofSeconds(2))
                .keyExchange(keyExchange)
                .build();
        gateway = new Gateway(config, registry, Clock.systemUTC());
        gateway.tls().update(key, anchors);
        gateway.routes(routes);
        gateway.start();
    }

    /** {@link #SERVICE}:{@link #SERVICE_PORT} exported, HTTP/1.1, its only endpoint 127.0.0.1:{@code backendPort}. */
    static RouteTable exporting(int backendPort) {
        return new RouteTable("cluster.local", List.of(new ExportedService(SERVICE, SERVICE_PORT, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", backendPort, true)))));
    }

    /** Nothing exported; one outbound listener on {@code port}: a mirrored service, all of it to {@code target}. */
    static RouteTable mirroring(int port, String name, RemoteTarget target) {
        return new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(port, name, target)));
    }

    static TransportHeader header(SessionProtocol protocol) {
        return new TransportHeader(SERVICE, SERVICE_PORT, protocol);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", gateway.inboundPort());
    }

    Gateway gateway() {
        return gateway;
    }

    /** The sum of a counter over all its tags. */
    double count(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Override
    public void close() {
        gateway.close();
        registry.close();
    }
}
