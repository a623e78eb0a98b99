package dev.isthmus.gateway.probe;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.RouteTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The gateway probes of every link the route table goes through: one {@link LinkProbe} per link, each on
 * one of the gateway's own event loops. It answers {@link LinkHealth} for the data path, keeps a
 * {@link LinkStatus} per link for the CLI and the mirror controller, and tells listeners when a link dies
 * or comes back. A link nobody probes (yet) counts as alive, like a link not probed yet.
 */
public final class LinkProbes implements LinkHealth, AutoCloseable {

    private static final Logger log = Logger.getLogger(LinkProbes.class.getName());

    private final EventLoopGroup loops;
    private final PeerGatewayConnector connector;
    private final ProbeSettings settings;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Probed> probes = new ConcurrentHashMap<>();
    private final List<Consumer<LinkStatus>> listeners = new CopyOnWriteArrayList<>();
    private boolean closed;

    private record Probed(LinkProbe probe, ProbeMetrics metrics, ProbeConnection connection) {}

    /**
     * @param loops the gateway's worker event loops; probes run there, never on a thread of their own
     * @param connector this gateway's one connector to peer gateways, which outbound traffic dials with too
     */
    public LinkProbes(EventLoopGroup loops, PeerGatewayConnector connector, ProbeSettings settings, MeterRegistry registry,
            Clock clock) {
        this.loops = requireNonNull(loops, "loops");
        this.connector = requireNonNull(connector, "connector");
        this.settings = requireNonNull(settings, "settings");
        this.registry = requireNonNull(registry, "registry");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Probes exactly the links of {@code table}'s outbound routes: new ones start, removed or changed ones stop. */
    public void follow(RouteTable table) {
        follow(ProbedLink.of(table));
    }

    synchronized void follow(Map<String, ProbedLink> links) {
        if (closed) {
            return;
        }
        for (String name : List.copyOf(probes.keySet())) {
            ProbedLink wanted = links.get(name);
            if (wanted == null || !wanted.equals(probes.get(name).probe().link())) {
                stop(name);
            }
        }
        links.values().forEach(link -> {
            if (!probes.containsKey(link.name())) {
                start(link);
            }
        });
    }

    @Override
    public boolean alive(String link) {
        Probed probed = probes.get(link);
        return probed == null || probed.probe().status().alive();
    }

    public Optional<LinkStatus> status(String link) {
        Probed probed = probes.get(link);
        return probed == null ? Optional.empty() : Optional.of(probed.probe().status());
    }

    /** Every probed link's status, by link name. */
    public Map<String, LinkStatus> statuses() {
        Map<String, LinkStatus> all = new TreeMap<>();
        probes.forEach((name, probed) -> all.put(name, probed.probe().status()));
        return all;
    }

    /**
     * Calls {@code listener} with the new status each time a link dies or comes back, on the link's event
     * loop: it must not block.
     */
    public void onTransition(Consumer<LinkStatus> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    @Override
    public synchronized void close() {
        closed = true;
        List.copyOf(probes.keySet()).forEach(this::stop);
    }

    private void start(ProbedLink link) {
        EventLoop loop = loops.next();
        ProbeMetrics metrics = new ProbeMetrics(registry, link.name());
        // Each probe has a generator of its own: it is used only on the probe's loop.
        ProbeSettings own = settings.with(link.probe());
        ProbeConnection connection = new ProbeConnection(loop);
        LinkProbe probe = new LinkProbe(link, loop, own, () -> send(loop, link, own, connection), clock, new SplittableRandom(),
                (status, took, changed) -> probed(metrics, status, took, changed));
        probes.put(link.name(), new Probed(probe, metrics, connection));
        log.info(() -> "probing link " + link.name() + ": gateway " + link.identity() + " at " + link.gateways() + " every "
                + own.period().toMillis() + " ms, timeout " + own.timeout().toMillis() + " ms, dead after "
                + own.failureThreshold() + " failures");
        probe.start();
    }

    private void stop(String name) {
        Probed probed = probes.remove(name);
        probed.probe().stop();
        probed.connection().close();
        probed.metrics().remove();
        log.info(() -> "stopped probing link " + name);
    }

    private Future<Duration> send(EventLoop loop, ProbedLink link, ProbeSettings settings, ProbeConnection connection) {
        SslContext context;
        try {
            context = connector.context(link.identity());
        } catch (SSLException | RuntimeException e) {
            return loop.newFailedFuture(new ProbeException("no mTLS context for " + link.identity() + ": " + e.getMessage(), e));
        }
        return ProbeCall.send(loop, link, connector, context, settings, connection);
    }

    private void probed(ProbeMetrics metrics, LinkStatus status, Duration took, boolean changed) {
        metrics.probed(status, took);
        if (!changed) {
            return;
        }
        if (status.alive()) {
            log.info(() -> "link " + status.link() + " is alive again: its gateway answered in " + took.toMillis() + " ms");
        } else {
            log.warning(() -> "link " + status.link() + " is dead: " + status.consecutiveFailures()
                    + " probes in a row failed, the last with: " + status.lastError());
        }
        for (Consumer<LinkStatus> listener : listeners) {
            try {
                listener.accept(status);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "a link transition listener failed", e);
            }
        }
    }
}
