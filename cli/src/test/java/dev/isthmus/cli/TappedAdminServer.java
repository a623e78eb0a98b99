package dev.isthmus.cli;

import dev.isthmus.gateway.admin.AdminServer;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tap.Tap;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway admin server on loopback whose {@link Tap} a test feeds by hand: what {@code isthmus tap} and
 * {@code stat --from} read from, without a gateway's data path behind it.
 */
public final class TappedAdminServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Tap tap = new Tap();
    private final AdminServer server = new AdminServer(registry, () -> null, List::of, tap, () -> RouteTable.EMPTY);
    private final String url;

    private TappedAdminServer() throws InterruptedException {
        url = "http://127.0.0.1:" + server.start(group, "127.0.0.1", 0);
    }

    public static TappedAdminServer start() throws InterruptedException {
        return new TappedAdminServer();
    }

    /** Where the tap's events go in; watchers of the admin server see them. */
    public Tap tap() {
        return tap;
    }

    /** The admin server's base address, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        server.close();
        registry.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
