package dev.isthmus.gateway.testing;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.testing.TestPki;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.awaitility.Awaitility;

/**
 * A real gateway on 127.0.0.1 with real mTLS, for integration tests: its certificate comes from
 * {@link TestPki}, its routes from the test.
 */
public final class GatewayHarness implements AutoCloseable {

    private final TestPki pki;
    private final Gateway gateway;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public GatewayHarness(TestPki pki, RouteTable routes, Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
        this(pki, routes, Optional.empty(), settings);
    }

    /** A gateway whose inbound HTTP sessions go to {@code inboundHttp}: for tests of what comes before HTTP. */
    public GatewayHarness(TestPki pki, RouteTable routes, HttpSessions inboundHttp, Consumer<GatewayConfig.Builder> settings)
            throws InterruptedException {
        this(pki, routes, Optional.of(inboundHttp), settings);
    }

    private GatewayHarness(TestPki pki, RouteTable routes, Optional<HttpSessions> inboundHttp,
            Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
        this.pki = pki;
        GatewayConfig.Builder builder = GatewayConfig.builder()
                .inbound("127.0.0.1", 0)
                .admin("127.0.0.1", 0)
                .identity(TestPki.GATEWAY)
                .ioThreads(2)
                .drainTimeout(Duration.ofSeconds(2));
        settings.accept(builder);
        gateway = inboundHttp.isPresent()
                ? new Gateway(builder.build(), registry, Clock.systemUTC(), inboundHttp.get())
                : new Gateway(builder.build(), registry, Clock.systemUTC());
        gateway.tls().update(pki.leaf(TestPki.GATEWAY), pki.anchors());
        gateway.routes(routes);
        gateway.start();
    }

    public Gateway gateway() {
        return gateway;
    }

    public int port() {
        return gateway.inboundPort();
    }

    public int adminPort() {
        return gateway.adminPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The count of a counter with the given tags, 0 when it was never registered. */
    public double count(String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Waits (bounded) until the counter reaches {@code expected}: metrics are counted on the gateway's threads. */
    public double awaitCount(double expected, String name, String... tags) throws InterruptedException {
        return Awaitility.await(name + " " + String.join(",", tags) + " reaches " + expected)
                .atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> count(name, tags), now -> now >= expected);
    }

    public TestPki pki() {
        return pki;
    }

    @Override
    public void close() {
        gateway.close();
        registry.close();
    }
}
