package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The cross-cluster path against the backend called directly, in one process and one run: unmodified
 * plaintext HTTP/1.1 keep-alive clients call a mirrored service on the WEST gateway's outbound listener;
 * west carries them over pooled HTTP/2 mTLS connections to the EAST gateway, which exports the trivial
 * backend. Each gateway has its own I/O thread(s), so each role's CPU time per request can be told apart.
 *
 * <ol>
 *   <li>Saturation, closed loop: N keep-alive connections through west → east → backend, then N straight to
 *       the backend, one request in flight on each.
 *   <li>Latency at half the cross path's saturating rate, open loop, both targets at the same rate: what the
 *       two gateways add to p50 and p99 when they are not the bottleneck.
 * </ol>
 */
final class CrossMode {

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    /** The mirrored service's name on west, as the walkthrough's {@code podinfo-east}; the link is {@code east}. */
    static final String MIRROR = "podinfo-east";
    static final String LINK = "east";

    static {
        OPTIONS.put("connections", "64");
        OPTIONS.put("warmup", "10");
        OPTIONS.put("settle", "2");
        OPTIONS.put("duration", "10");
        OPTIONS.put("open-warmup", "2");
        OPTIONS.put("open-duration", "10");
        OPTIONS.put("rate", "0");
        OPTIONS.put("gateway-threads", "1");
        OPTIONS.put("client-threads", "1");
        OPTIONS.put("tap", "none");
        OPTIONS.put("tap-blocks", "3");
        OPTIONS.put("gateways", Gateways.THREADS);
        OPTIONS.put("jvm", GatewayProcess.MANIFEST_JVM);
        OPTIONS.put("gateway-cpus", "");
    }

    private CrossMode() {}

    static void run(Options options) throws Exception {
        int connections = options.positive("connections");
        Duration warmup = options.seconds("warmup");
        Duration settle = options.seconds("settle");
        Duration duration = options.seconds("duration");
        int gatewayThreads = options.positive("gateway-threads");
        int clientThreads = options.positive("client-threads");
        String tapMode = options.string("tap");
        if (!List.of("none", "reader", "stalled", "rounds").contains(tapMode)) {
            throw new Options.UsageException("--tap " + tapMode + ": unknown (expected: none, reader, stalled or rounds)");
        }
        int tapBlocks = options.positive("tap-blocks");
        if (Gateways.inProcesses(options) && !tapMode.equals("none")) {
            throw new Options.UsageException("--tap " + tapMode + " with --gateways " + Gateways.PROCESSES
                    + " (expected: --tap none; the tap's load runs against a west in this JVM)");
        }

        LoadPki pki = LoadPki.create();
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(clientThreads, new DefaultThreadFactory("load-client"),
                NioIoHandler.newFactory());
        int mirrorPort = freePort();
        try (TrivialBackend backend = new TrivialBackend();
                Gateways gateways = Gateways.cross(options, pki, gatewayThreads, backend.port(), mirrorPort)) {
            Optional<GatewayUnderTest> west = gateways.westInJvm();
            Optional<GatewayUnderTest> east = gateways.eastInJvm();
            // In rounds mode the watchers come and go with each round; otherwise one stays for the whole run.
            TapWatcherLoad tap = west.isEmpty() ? TapWatcherLoad.start("none", 0)
                    : TapWatcherLoad.start(tapMode.equals("rounds") ? "none" : tapMode, west.get().gateway().adminPort());
            CpuMeter cpu = gateways.count(new CpuMeter().role("generator", clients), "east", "west").role("backend", backend.group());
            List<LoadLoop> viaWest = LoadLoop.on(clients);
            List<LoadLoop> direct = LoadLoop.on(clients);
            List<Future<Lane>> opening = new ArrayList<>();
            InetSocketAddress westAddress = new InetSocketAddress("127.0.0.1", mirrorPort);
            InetSocketAddress backendAddress = new InetSocketAddress("127.0.0.1", backend.port());
            for (int i = 0; i < connections; i++) {
                opening.add(Http1Lane.open(viaWest.get(i % viaWest.size()), westAddress));
                opening.add(Http1Lane.open(direct.get(i % direct.size()), backendAddress));
            }
            LoadLoop.awaitOpen(opening);

            System.out.printf("cross: %d CPUs; TLS %s; west gateway (%s) with an outbound listener on %s for %s, %d I/O "
                    + "thread(s);%n       east gateway (%s) on %s exporting the trivial HTTP/1.1 backend (1 thread), %d I/O "
                    + "thread(s); generator, %d thread(s)%n       %s%n", Runtime.getRuntime().availableProcessors(),
                    TlsProviders.preferred(), LoadPki.PEER, westAddress, MIRROR, gatewayThreads, LoadPki.GATEWAY,
                    gateways.eastAddress(), gatewayThreads, clientThreads, gateways.placement());
            System.out.printf("       both targets: %d plaintext HTTP/1.1 keep-alive connections, one request in flight on "
                    + "each;%n       warmup %s s on each target first, then for each: %s s to settle, %s s measured%n%n",
                    connections, RpsMode.seconds(warmup), RpsMode.seconds(settle), RpsMode.seconds(duration));

            double eastAcceptedBefore = east.map(e -> e.count("isthmus.gateway.connections")).orElse(0.0);
            if (tapMode.equals("rounds")) {
                Gateway westGateway = west.orElseThrow().gateway();
                LoadPhase.warmUp(viaWest, warmup);
                TapRounds.run(viaWest, settle, duration, cpu, westGateway.adminPort(), tapBlocks,
                        () -> westGateway.metrics().tap().dropped());
                for (LoadLoop loop : List.of(viaWest, direct).stream().flatMap(List::stream).toList()) {
                    loop.executor().submit(loop::closeAll).sync();
                }
                return;
            }
            LoadPhase.warmUp(viaWest, warmup);
            LoadPhase.warmUp(direct, warmup);
            LoadPhase.Result crossClosed = LoadPhase.closed("west → east", viaWest, settle, duration, cpu);
            LoadPhase.Result directClosed = LoadPhase.closed("direct to the backend", direct, settle, duration, cpu);
            printSaturation(crossClosed, directClosed);

            double rate = options.decimal("rate") > 0 ? options.decimal("rate") : crossClosed.perSecond() / 2;
            Duration openWarmup = options.seconds("open-warmup");
            Duration openDuration = options.seconds("open-duration");
            LoadPhase.Result crossOpen = LoadPhase.open("west → east", viaWest, rate, openWarmup, openDuration, cpu);
            LoadPhase.Result directOpen = LoadPhase.open("direct to the backend", direct, rate, openWarmup, openDuration, cpu);
            RpsMode.printOpen(rate, options.decimal("rate") <= 0 ? "the cross path's" : null, "west → east", crossOpen,
                    directOpen);
            long p99Added = crossOpen.latencies().quantile(0.99) - directOpen.latencies().quantile(0.99);
            System.out.printf("  p99 added: %s (aim: under 2 ms)%n", p99Added < 2_000_000 ? "met" : "not met");
            if (west.isPresent() && east.isPresent()) {
                System.out.printf("%nmTLS connections east accepted during the run (west's pool and its probes): %.0f, for %d "
                        + "client connections; west's outbound failures: %.0f%n",
                        east.get().count("isthmus.gateway.connections") - eastAcceptedBefore, connections,
                        west.get().count("isthmus.gateway.outbound.failures"));
                System.out.printf("tap on west: %s; events it dropped for its watchers: %.0f; lines the reader got: %d%n",
                        tapMode, west.get().gateway().metrics().tap().dropped() * 1.0, tap.lines());
            } else {
                System.out.printf("%n(the gateways' own counters, of connections accepted and outbound failures, are read only with "
                        + "--gateways threads)%n");
            }
            tap.close();
            for (LoadLoop loop : viaWest) {
                loop.executor().submit(loop::closeAll).sync();
            }
            for (LoadLoop loop : direct) {
                loop.executor().submit(loop::closeAll).sync();
            }
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A port free on 127.0.0.1 now: an outbound route names its listener's port, it cannot ask for any. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits (bounded) until west listens on the mirror's port and has probed east alive over the real mTLS path. */
    static void awaitLink(Gateway west, int port) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            boolean listening = west.outboundPorts().contains(port);
            boolean alive = west.probes().status(LINK).map(s -> s.probed() && s.alive()).orElse(false);
            if (listening && alive) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("west did not open its listener on " + port + " and probe " + LINK
                + " alive within 20 s: " + west.probes().status(LINK));
    }

    private static void printSaturation(LoadPhase.Result cross, LoadPhase.Result direct) {
        List<LoadPhase.Result> both = List.of(cross, direct);
        System.out.println("saturation (closed loop)   requests/s       p50       p99     p99.9    failed   open conns");
        for (LoadPhase.Result r : both) {
            System.out.printf("  %-22s %12s %9s %9s %9s %9d %12d%n", r.target(), Format.rate(r.perSecond()),
                    Format.latency(r.latencies().quantile(0.5)), Format.latency(r.latencies().quantile(0.99)),
                    Format.latency(r.latencies().quantile(0.999)), r.failed(), r.openLanes());
        }
        double ratio = cross.perSecond() / direct.perSecond();
        System.out.printf("  west → east / direct: %s (aim: at least 40 %%: %s)%n%n", Format.percent(ratio),
                ratio >= 0.4 ? "met" : "not met");

        System.out.println("CPU per request, µs        generator      west      east   backend   rest of JVM   | other processes");
        for (LoadPhase.Result r : both) {
            System.out.printf("  %-22s %11s %9s %9s %9s %13s   | %s cores%n", r.target(), Format.decimal(r.cpuMicros("generator"), 1),
                    Format.decimal(r.cpuMicros("west"), 1), Format.decimal(r.cpuMicros("east"), 1),
                    Format.decimal(r.cpuMicros("backend"), 1), Format.decimal(r.otherInProcessMicros(), 1),
                    Format.decimal(r.cpu().otherProcessesCores(), 2));
        }
        System.out.println("system calls per request   reads writes  reads writes  reads writes  reads writes");
        for (LoadPhase.Result r : both) {
            StringBuilder line = new StringBuilder(String.format("  %-22s", r.target()));
            for (String role : List.of("generator", "west", "east", "backend")) {
                line.append(String.format(" %6s %6s", RpsMode.reads(role, r), RpsMode.writes(role, r)));
            }
            System.out.println(line);
        }
        System.out.println("heap allocated per request, bytes");
        for (LoadPhase.Result r : both) {
            System.out.printf("  %-22s %11s %9s %9s %9s%n", r.target(), RpsMode.bytesPerRequest("generator", r),
                    RpsMode.bytesPerRequest("west", r), RpsMode.bytesPerRequest("east", r), RpsMode.bytesPerRequest("backend", r));
        }
        System.out.println("cores busy (CPU s / wall s)");
        for (LoadPhase.Result r : both) {
            System.out.printf("  %-22s %11s %9s %9s %9s %13s%n", r.target(), Format.decimal(r.cores("generator"), 2),
                    Format.decimal(r.cores("west"), 2), Format.decimal(r.cores("east"), 2), Format.decimal(r.cores("backend"), 2),
                    Format.decimal(r.cpu().otherInProcess() / (double) r.cpu().wallNanos(), 2));
        }
        RpsMode.warnIfJitCompiled(both);
        double west = cross.cpuMicros("west");
        double east = cross.cpuMicros("east");
        double crossCpu = cross.cpuMicros("generator") + west + east + cross.cpuMicros("backend");
        double directCpu = direct.cpuMicros("generator") + direct.cpuMicros("backend");
        System.out.printf("  the two gateways: %s µs of CPU per request (west %s, east %s); one core of each proxies at most "
                + "%s requests/s%n", Format.decimal(west + east, 1), Format.decimal(west, 1), Format.decimal(east, 1),
                Format.rate(1e6 / Math.max(west, east)));
        System.out.printf("  all threads together: %s µs per request through, %s direct: with the cores shared, the CPU costs "
                + "alone give %s%n%n", Format.decimal(crossCpu, 1), Format.decimal(directCpu, 1),
                Format.percent(directCpu / crossCpu));
    }
}
