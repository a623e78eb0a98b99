package dev.isthmus.gateway;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.warmup.JitCpu;
import dev.isthmus.gateway.warmup.LoopbackBackend;
import dev.isthmus.gateway.warmup.LoopbackHandshakes;
import dev.isthmus.gateway.warmup.LoopbackLoad;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.SignatureProviders;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs the gateway's data path hot before the real gateway listens, so that its first requests do not pay for the
 * JIT: a fresh JVM served a tenth of its steady rate in its first seconds, with p99 in the hundreds of milliseconds
 * (benchmarks/README.md, {@code GatewayLoad warmup}). Two throwaway gateways on 127.0.0.1, built as production builds
 * them but with a throwaway PKI of their own, carry closed-loop HTTP/1.1 traffic from {@link LoopbackLoad} (whose
 * clients come and go, some with a request in flight, as real ones do) through
 * west's outbound listener, HTTP/2 over mTLS to east, and on to a {@link LoopbackBackend}: the code of both roles of a
 * gateway, on the same I/O transport. Beside that load, {@link LoopbackHandshakes} dials east {@link #HANDSHAKES} times
 * with west's credentials, as west's pool and probe do: the handshakes' Java side, the JDK's ECDSA above all, is
 * compiled here and not under the first real connections. A round ends when the JIT has gone quiet (its compiler
 * threads used less than {@link Settings#quietCompileMillis} of CPU in the last second, after {@link Settings#minimum}:
 * {@link JitCpu}) or at {@link Settings#maximum}, whichever comes first, and leaves nothing behind: no listener, no
 * thread, no meter of the real gateway's.
 *
 * <p>It runs in {@link #ROUNDS} rounds, each with gateways, backend and clients of its own. Closing a round's takes
 * branches its traffic never did (channels closing, event loops shutting down, promises completed by new kinds of
 * listener), and the JIT throws away the compiled code that assumed they would not be taken: about two hundred
 * deoptimizations in the data path within a second after the first round, a few dozen after the second
 * ({@code GatewayLoad warmup} with JFR's {@code jdk.Deoptimization} events). Compiled again only under the first real
 * load, that code was the load's cliff. So each later round (at least {@link #LATER_ROUND_MINIMUM}, until quiet again)
 * compiles again what the one before threw away, and ends with less to throw away: the JIT stops speculating where
 * its guesses have failed. The first round gets half of {@link Settings#maximum}, each later one a quarter.
 *
 * <p>It listens only on 127.0.0.1 ports the kernel picks, so no outside traffic reaches it, and the real gateway's
 * listeners open only after it (the caller runs it before {@link Gateway#start}). A warm-up that fails is logged and
 * ends: it is an optimisation, never a reason not to start.
 */
public final class GatewayWarmup {

    private static final Logger log = Logger.getLogger(GatewayWarmup.class.getName());
    private static final String TRUST_DOMAIN = "warmup.isthmus.invalid";
    private static final SpiffeId WEST = SpiffeId.parse("spiffe://" + TRUST_DOMAIN + "/ns/isthmus-warmup/sa/west");
    private static final SpiffeId EAST = SpiffeId.parse("spiffe://" + TRUST_DOMAIN + "/ns/isthmus-warmup/sa/east");
    private static final String SERVICE = "backend.isthmus-warmup.svc.cluster.local";
    private static final int SERVICE_PORT = 8080;
    private static final Duration SAMPLE = Duration.ofMillis(250);
    /** Three measured better than two (less JIT work under the first real load: benchmarks/README.md, "Three rounds"). */
    static final int ROUNDS = 3;
    /** The least a later round runs: a second of samples after it, enough for the first requests to be answered. */
    static final Duration LATER_ROUND_MINIMUM = Duration.ofSeconds(2);
    /**
     * New mTLS connections a round makes, one at a time. Each handshake checks two ECDSA signatures on either side; a
     * few hundred get the JDK's P-256 arithmetic compiled by C2 well before the round ends (about 0.3 s of a round).
     */
    static final int HANDSHAKES = 256;
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param minimum the least it runs, even if the JIT looks quiet (it is quiet before the first request too)
     * @param maximum the most it runs
     * @param connections the warm-up's concurrent clients
     * @param quietCompileMillis compiler threads' CPU per second below which the path counts as compiled
     */
    public record Settings(Duration minimum, Duration maximum, int connections, long quietCompileMillis) {
        public Settings {
            requireNonNull(minimum, "minimum");
            requireNonNull(maximum, "maximum");
            if (minimum.isNegative() || maximum.compareTo(minimum) < 0) {
                throw new IllegalArgumentException("warm-up: minimum " + minimum + ", maximum " + maximum
                        + " (expected: 0 <= minimum <= maximum)");
            }
            if (maximum.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("warm-up maximum: " + maximum + " (expected: at most 5 minutes)");
            }
            if (connections < 1 || connections > 256) {
                throw new IllegalArgumentException("warm-up connections: " + connections + " (expected: 1-256)");
            }
            if (quietCompileMillis < 0) {
                throw new IllegalArgumentException("warm-up quietCompileMillis: " + quietCompileMillis + " (expected: 0 or more)");
            }
        }

        /**
         * At most {@code maximum}, at least 3 s of it, quiet below 30 ms of compiler CPU a second, and 64 clients: with 16,
         * C2 still compiled a few hundred methods under the first real load (busier paths: more streams per connection).
         */
        public static Settings upTo(Duration maximum) {
            Duration minimum = Duration.ofSeconds(3);
            return new Settings(maximum.compareTo(minimum) < 0 ? maximum : minimum, maximum, 64, 30);
        }
    }

    /**
     * How a warm-up went: requests answered 200, new connections made, requests and connections that failed, how long it
     * took, and why each round stopped.
     */
    public record Outcome(long requests, long handshakes, long failed, Duration took, String stoppedBecause) {}

    private GatewayWarmup() {}

    /**
     * Warms up the data path of gateways with {@code ioThreads} I/O threads (0: one per core, as {@link GatewayConfig}).
     * Never throws for a warm-up that went wrong: the outcome says what happened.
     */
    public static Outcome run(int ioThreads, Settings settings, Clock clock) {
        requireNonNull(settings, "settings");
        requireNonNull(clock, "clock");
        long start = System.nanoTime();
        if (settings.maximum().isZero()) {
            return new Outcome(0, 0, 0, Duration.ZERO, "disabled");
        }
        log.info(() -> "warm-up: two throwaway gateways on 127.0.0.1 (" + WEST + " and " + EAST + ") carry loopback traffic "
                + "for at most " + settings.maximum().toMillis() + " ms before this gateway listens");
        try {
            long requests = 0;
            long handshakes = 0;
            long failed = 0;
            StringBuilder stopped = new StringBuilder();
            long end = start + settings.maximum().toNanos();
            long quarter = settings.maximum().toNanos() / 4;
            for (int round = 1; round <= ROUNDS; round++) {
                // Each later round gets a quarter of the maximum; the first gets the rest.
                long deadline = end - (ROUNDS - round) * quarter;
                long roundStart = System.nanoTime();
                long minimum = round == 1 ? settings.minimum().toNanos() : LATER_ROUND_MINIMUM.toNanos();
                Round done = round > 1 && requests == 0 ? new Round(0, 0, 0, "not run: no request got through")
                        : round > 1 && deadline - roundStart < minimum ? new Round(0, 0, 0, "not run: no time left")
                        : exercise(ioThreads, settings, clock, roundStart, minimum, deadline);
                requests += done.requests();
                handshakes += done.handshakes();
                failed += done.failed();
                stopped.append(round == 1 ? "" : "; ").append("round ").append(round).append(": ").append(done.stoppedBecause());
            }
            Outcome outcome = new Outcome(requests, handshakes, failed, Duration.ofNanos(System.nanoTime() - start),
                    stopped.toString());
            log.info(() -> "warm-up: " + outcome.requests() + " requests and " + outcome.handshakes()
                    + " new connections through two loopback gateways in "
                    + outcome.took().toMillis() + " ms (" + outcome.stoppedBecause() + ")"
                    + (outcome.failed() > 0 ? "; " + outcome.failed() + " failed" : ""));
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(0, 0, 0, Duration.ofNanos(System.nanoTime() - start), "interrupted");
        } catch (RuntimeException | IOException e) {
            log.warning(() -> "warm-up failed, starting without it: " + e);
            return new Outcome(0, 0, 0, Duration.ofNanos(System.nanoTime() - start), "failed: " + e);
        }
    }

    /** One round: its requests answered 200, its new connections, what failed of either, and why it stopped. */
    private record Round(long requests, long handshakes, long failed, String stoppedBecause) {}

    /** Runs one round from {@code start} (its clock) for at least {@code minimumNanos}, until quiet or {@code deadline}. */
    private static Round exercise(int ioThreads, Settings settings, Clock clock, long start, long minimumNanos, long deadline)
            throws InterruptedException, IOException {
        // BouncyCastle: choosing the native provider would look for a library the gateway does not carry, and log that.
        CertificateAuthority root = CertificateAuthority.createRoot(TRUST_DOMAIN, Duration.ofHours(1), clock,
                SignatureProviders.bouncyCastle());
        LeafIssuer issuer = new LeafIssuer(root, Duration.ofHours(1), LeafIssuer.DEFAULT_CLOCK_SKEW, clock,
                SignatureProviders.bouncyCastle());
        TrustAnchors anchors = new TrustAnchors(root.chain(), "warm-up root");
        int mirrorPort = freeLoopbackPort();
        EventLoopGroup clients = IoTransport.preferred().newGroup(1);
        // Meters of their own: the real gateway's /metrics never counts the warm-up's requests.
        PrometheusMeterRegistry eastMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry westMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (LoopbackBackend backend = new LoopbackBackend(clients);
                Gateway east = new Gateway(config(EAST, ioThreads), eastMeters, clock);
                Gateway west = new Gateway(config(WEST, ioThreads), westMeters, clock)) {
            east.tls().update(leaf(issuer, EAST), anchors);
            east.routes(new RouteTable("cluster.local", List.of(new ExportedService(SERVICE, SERVICE_PORT, BackendProtocol.HTTP1,
                    List.of(new Endpoint("127.0.0.1", backend.port(), true))))));
            east.start();
            west.tls().update(leaf(issuer, WEST), anchors);
            west.routes(new RouteTable("cluster.local", List.of(), List.of(OutboundRoute.mirror(mirrorPort, "warmup",
                    new RemoteTarget("warmup", List.of(new Endpoint("127.0.0.1", east.inboundPort(), true)), EAST, SERVICE,
                            SERVICE_PORT)))));
            west.start();
            awaitListening(west, mirrorPort, deadline);
            // West's own connector, built as west builds it: the client side of each handshake is west's.
            PeerGatewayConnector connector = new PeerGatewayConnector(ClientContexts.current(west.tls()::credentials,
                    west.tls()::anchors, west.tls().provider(), clock), HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT);
            try (LoopbackLoad load = new LoopbackLoad(clients, mirrorPort, settings.connections(), SERVICE + ":" + SERVICE_PORT);
                    LoopbackHandshakes handshakes = new LoopbackHandshakes(connector, clients.next(),
                            new Endpoint("127.0.0.1", east.inboundPort(), true), EAST,
                            new TransportHeader(SERVICE, SERVICE_PORT, SessionProtocol.HTTP2), HANDSHAKES)) {
                String stopped = runUntilQuiet(load, settings.quietCompileMillis(), start, minimumNanos, deadline);
                return new Round(load.ok(), handshakes.made(), load.failed() + handshakes.failed(), stopped);
            }
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            westMeters.close();
            eastMeters.close();
        }
    }

    /**
     * Samples the JIT's compiler time ({@link JitCpu}); stops once a second in which requests were answered compiled less
     * than the quiet threshold.
     */
    private static String runUntilQuiet(LoopbackLoad load, long quietCompileMillis, long start, long minimumNanos,
            long deadline) throws InterruptedException {
        boolean measurable = JitCpu.millis() >= 0;
        int window = (int) (Duration.ofSeconds(1).toNanos() / SAMPLE.toNanos());
        long[] compiled = new long[window + 1]; // rings of the last second's samples
        long[] answered = new long[window + 1];
        int samples = 0;
        while (true) {
            TimeUnit.NANOSECONDS.sleep(SAMPLE.toNanos());
            long now = System.nanoTime();
            if (load.open() == 0) {
                return "every warm-up connection closed";
            }
            if (now - deadline >= 0) {
                return "time limit";
            }
            if (measurable) {
                compiled[samples % compiled.length] = JitCpu.millis();
                answered[samples % answered.length] = load.ok();
                samples++;
                boolean fullSecond = samples > window;
                if (fullSecond && now - start >= minimumNanos) {
                    long lastSecond = compiled[(samples - 1) % compiled.length] - compiled[samples % compiled.length];
                    // Quiet counts only while requests flow: before the first answer, nothing has been exercised yet.
                    boolean flowing = answered[(samples - 1) % answered.length] > answered[samples % answered.length];
                    if (flowing && lastSecond < quietCompileMillis) {
                        return "JIT quiet: its compiler threads used " + lastSecond + " ms of CPU in the last second";
                    }
                }
            }
        }
    }

    private static GatewayConfig config(SpiffeId identity, int ioThreads) {
        return GatewayConfig.builder().identity(identity).inbound("127.0.0.1", 0).admin("127.0.0.1", 0)
                .outboundHost("127.0.0.1").ioThreads(ioThreads).drainTimeout(Duration.ofSeconds(1)).build();
    }

    private static CertifiedKey leaf(LeafIssuer issuer, SpiffeId identity) {
        KeyPair keys = Keys.generateP256();
        return new CertifiedKey(keys.getPrivate(), issuer.issue(keys.getPublic(), identity).chain());
    }

    /** An outbound route names its listener's port, so one is picked free here; the kernel may give it away meanwhile (rare). */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * West opens its outbound listeners as its route table arrives; the load needs the port open. (Not its first probe
     * of east: a link counts alive until a probe fails, and a cold JVM on a busy node may take seconds to that probe.)
     */
    private static void awaitListening(Gateway west, int port, long deadline) throws InterruptedException {
        while (!west.outboundPorts().contains(port)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("warm-up: west's outbound listener on 127.0.0.1:" + port
                        + " did not open within the warm-up's maximum");
            }
            Thread.sleep(20);
        }
    }
}
