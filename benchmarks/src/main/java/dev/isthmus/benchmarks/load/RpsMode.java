package dev.isthmus.benchmarks.load;

import dev.isthmus.identity.tls.TlsProviders;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Requests per second through the gateway against the backend called directly, in one process and one
 * run: the trivial backend, the gateway (HTTP/2 over mTLS in, HTTP/1.1 keep-alive out) and the load
 * generator, each on its own event loop thread, so each one's CPU time per request can be told apart.
 *
 * <ol>
 *   <li>Saturation, closed loop: C HTTP/2 connections × S streams through the gateway, then C×S HTTP/1.1
 *       keep-alive connections straight to the backend: the same number of requests in flight. With {@code --rounds}
 *       above 1, that many times, each round starting with the target the last one ended with, and the ratio is
 *       the rounds' median: on a shared machine one pair of windows moves by a quarter from run to run.
 *   <li>Latency at half the gateway's saturating rate, open loop, both targets at the same rate: what the
 *       gateway adds to p50 and p99 when it is not the bottleneck.
 * </ol>
 */
final class RpsMode {

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    /** What a column says for a figure the harness cannot read for a child process. */
    private static final String NOT_COUNTED = "n/a";

    static {
        OPTIONS.put("connections", "4");
        OPTIONS.put("streams", "16");
        OPTIONS.put("warmup", "10");
        OPTIONS.put("settle", "2");
        OPTIONS.put("duration", "10");
        OPTIONS.put("rounds", "1");
        OPTIONS.put("open-warmup", "2");
        OPTIONS.put("open-duration", "10");
        OPTIONS.put("rate", "0");
        OPTIONS.put("gateway-threads", "1");
        OPTIONS.put("client-threads", "1");
        OPTIONS.put("gateways", Gateways.THREADS);
        OPTIONS.put("jvm", GatewayProcess.MANIFEST_JVM);
        OPTIONS.put("gateway-cpus", "");
    }

    private RpsMode() {}

    static void run(Options options) throws Exception {
        int connections = options.positive("connections");
        int streams = options.positive("streams");
        Duration warmup = options.seconds("warmup");
        Duration settle = options.seconds("settle");
        Duration duration = options.seconds("duration");
        int gatewayThreads = options.positive("gateway-threads");
        int clientThreads = options.positive("client-threads");
        int rounds = options.positive("rounds");

        Gateways.inProcesses(options); // the placement is checked before anything starts

        LoadPki pki = LoadPki.create();
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(clientThreads, new DefaultThreadFactory("load-client"),
                NioIoHandler.newFactory());
        try (TrivialBackend backend = new TrivialBackend();
                Gateways gateway = Gateways.east(options, pki, gatewayThreads, backend.port())) {
            CpuMeter cpu = gateway.count(new CpuMeter().role("generator", clients), "gateway").role("backend", backend.group());
            SslContext tls = pki.peerContext(true);
            List<LoadLoop> viaGateway = LoadLoop.on(clients);
            List<LoadLoop> direct = LoadLoop.on(clients);
            List<Future<Lane>> opening = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                opening.add(Http2Lane.open(viaGateway.get(i % viaGateway.size()), gateway.eastAddress(), tls, streams));
            }
            InetSocketAddress backendAddress = new InetSocketAddress("127.0.0.1", backend.port());
            for (int i = 0; i < connections * streams; i++) {
                opening.add(Http1Lane.open(direct.get(i % direct.size()), backendAddress));
            }
            LoadLoop.awaitOpen(opening);

            System.out.printf("rps: %d CPUs; TLS %s; gateway %s with %d I/O thread(s); trivial HTTP/1.1 backend, 1 thread; "
                    + "generator, %d thread(s)%n     %s%n", Runtime.getRuntime().availableProcessors(), TlsProviders.preferred(),
                    gateway.eastAddress(), gatewayThreads, clientThreads, gateway.placement());
            System.out.printf("     through the gateway: %d HTTP/2 connections × %d streams over mTLS; direct: %d HTTP/1.1 "
                    + "keep-alive connections;%n     warmup %s s on each target first, then for each: %s s to settle, "
                    + "%s s measured%s%n%n", connections, streams, connections * streams, seconds(warmup), seconds(settle),
                    seconds(duration), rounds == 1 ? "" : "; " + rounds + " rounds, alternated");

            // Both targets share code (HTTP codecs, the backend); warming both before measuring either keeps the
            // JIT's work out of the first target's window.
            LoadPhase.warmUp(viaGateway, warmup);
            LoadPhase.warmUp(direct, warmup);
            List<Round> measured = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                boolean gatewayFirst = Round.startsThroughTheGateway(round);
                LoadPhase.Result first = gatewayFirst
                        ? LoadPhase.closed("through the gateway", viaGateway, settle, duration, cpu)
                        : LoadPhase.closed("direct to the backend", direct, settle, duration, cpu);
                LoadPhase.Result second = gatewayFirst
                        ? LoadPhase.closed("direct to the backend", direct, settle, duration, cpu)
                        : LoadPhase.closed("through the gateway", viaGateway, settle, duration, cpu);
                measured.add(gatewayFirst ? new Round(round, first, second) : new Round(round, second, first));
            }
            Round median = printRounds(measured);
            LoadPhase.Result gatewayClosed = median.gateway();
            printSaturation(gatewayClosed, median.direct());

            double rate = options.decimal("rate") > 0 ? options.decimal("rate") : gatewayClosed.perSecond() / 2;
            Duration openWarmup = options.seconds("open-warmup");
            Duration openDuration = options.seconds("open-duration");
            LoadPhase.Result gatewayOpen = LoadPhase.open("through the gateway", viaGateway, rate, openWarmup, openDuration, cpu);
            LoadPhase.Result directOpen = LoadPhase.open("direct to the backend", direct, rate, openWarmup, openDuration, cpu);
            printOpen(rate, options.decimal("rate") <= 0, gatewayOpen, directOpen);

            for (LoadLoop loop : viaGateway) {
                loop.executor().submit(loop::closeAll).sync();
            }
            for (LoadLoop loop : direct) {
                loop.executor().submit(loop::closeAll).sync();
            }
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One round of the saturation phase: both targets, one window each. */
    record Round(int number, LoadPhase.Result gateway, LoadPhase.Result direct) {
        /**
         * Odd rounds start through the gateway, even ones direct: a machine that speeds up or slows down during the run
         * then favours neither target.
         */
        static boolean startsThroughTheGateway(int number) {
            return number % 2 == 1;
        }

        double ratio() {
            return gateway.perSecond() / direct.perSecond();
        }
    }

    /**
     * With more than one round, a line for each and the ratio's median and range; returns the round whose ratio is the
     * median (the lower of the two middle ones for an even count), which the detailed tables then describe.
     */
    static Round printRounds(List<Round> rounds) {
        List<Round> byRatio = new ArrayList<>(rounds);
        byRatio.sort(Comparator.comparingDouble(Round::ratio));
        Round median = byRatio.get((byRatio.size() - 1) / 2);
        if (rounds.size() == 1) {
            return median;
        }
        System.out.println("saturation (closed loop), round by round");
        System.out.println("  round  first      through req/s  direct req/s  through / direct  gateway µs/req  other processes");
        for (Round r : rounds) {
            System.out.printf("  %5d  %-8s %15s %13s %17s %15s  %s / %s cores%n", r.number(), Round.startsThroughTheGateway(r.number()) ? "through" : "direct",
                    Format.rate(r.gateway().perSecond()), Format.rate(r.direct().perSecond()), Format.percent(r.ratio()),
                    Format.decimal(r.gateway().cpuMicros("gateway"), 1), Format.decimal(r.gateway().cpu().otherProcessesCores(), 2),
                    Format.decimal(r.direct().cpu().otherProcessesCores(), 2));
        }
        System.out.printf("  through / direct over %d rounds: median %s, from %s to %s (aim: at least 60 %%)%n", rounds.size(),
                Format.percent(median.ratio()), Format.percent(byRatio.get(0).ratio()),
                Format.percent(byRatio.get(byRatio.size() - 1).ratio()));
        System.out.printf("  the tables below are round %d's, the median; the open loop runs at half its rate through the gateway%n%n",
                median.number());
        return median;
    }

    /** {@code read} system calls of {@code role}'s threads per request; {@code n/a} for a gateway in a process of its own. */
    static String reads(String role, LoadPhase.Result r) {
        return r.cpu().hasThreadDetail(role) ? perRequest(r.cpu().reads(role), r) : NOT_COUNTED;
    }

    /** {@code write} system calls of {@code role}'s threads per request; {@code n/a} for a gateway in a process of its own. */
    static String writes(String role, LoadPhase.Result r) {
        return r.cpu().hasThreadDetail(role) ? perRequest(r.cpu().writes(role), r) : NOT_COUNTED;
    }

    private static String perRequest(long count, LoadPhase.Result r) {
        return Format.decimal(count / (double) Math.max(1, r.completed()), 2);
    }

    /**
     * Heap bytes {@code role}'s threads allocated per request: what its young collections have to sweep; {@code n/a} for a
     * gateway in a process of its own.
     */
    static String bytesPerRequest(String role, LoadPhase.Result r) {
        return r.cpu().hasThreadDetail(role) ? Format.decimal(r.cpu().allocated(role) / (double) Math.max(1, r.completed()), 0)
                : NOT_COUNTED;
    }

    static String seconds(Duration duration) {
        return Format.decimal(duration.toMillis() / 1000.0, 1);
    }

    private static void printSaturation(LoadPhase.Result gateway, LoadPhase.Result direct) {
        System.out.println("saturation (closed loop)   requests/s       p50       p99     p99.9    failed   open conns");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            System.out.printf("  %-22s %12s %9s %9s %9s %9d %12d%n", r.target(), Format.rate(r.perSecond()),
                    Format.latency(r.latencies().quantile(0.5)), Format.latency(r.latencies().quantile(0.99)),
                    Format.latency(r.latencies().quantile(0.999)), r.failed(), r.openLanes());
        }
        double ratio = gateway.perSecond() / direct.perSecond();
        System.out.printf("  through / direct: %s (aim: at least 60 %%)%n%n", Format.percent(ratio));

        System.out.println("CPU per request, µs        generator   gateway   backend   rest of JVM   | other processes");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            System.out.printf("  %-22s %11s %9s %9s %13s   | %s cores%n", r.target(), Format.decimal(r.cpuMicros("generator"), 1),
                    Format.decimal(r.cpuMicros("gateway"), 1), Format.decimal(r.cpuMicros("backend"), 1),
                    Format.decimal(r.otherInProcessMicros(), 1), Format.decimal(r.cpu().otherProcessesCores(), 2));
        }
        System.out.println("system calls per request       reads  writes    reads  writes    reads  writes");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            System.out.printf("  %-22s %9s %7s %8s %7s %8s %7s%n", r.target(), reads("generator", r), writes("generator", r),
                    reads("gateway", r), writes("gateway", r), reads("backend", r), writes("backend", r));
        }
        System.out.println("heap allocated per request, bytes");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            System.out.printf("  %-22s %11s %9s %9s%n", r.target(), bytesPerRequest("generator", r), bytesPerRequest("gateway", r),
                    bytesPerRequest("backend", r));
        }
        System.out.println("cores busy (CPU s / wall s)");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            System.out.printf("  %-22s %11s %9s %9s %13s%n", r.target(), Format.decimal(r.cores("generator"), 2),
                    Format.decimal(r.cores("gateway"), 2), Format.decimal(r.cores("backend"), 2),
                    Format.decimal(r.cpu().otherInProcess() / (double) r.cpu().wallNanos(), 2));
        }
        warnIfJitCompiled(List.of(gateway, direct));
        double gatewayMicros = gateway.cpuMicros("gateway");
        double throughBound = 1e6 / Math.max(gatewayMicros, Math.max(gateway.cpuMicros("generator"), gateway.cpuMicros("backend")));
        double directBound = 1e6 / Math.max(direct.cpuMicros("generator"), direct.cpuMicros("backend"));
        System.out.printf("  one gateway core proxies at most %s requests/s (1 s / %s µs of the gateway's CPU per request)%n",
                Format.rate(1e6 / gatewayMicros), Format.decimal(gatewayMicros, 1));
        System.out.printf("  with a core for each thread (no sharing), the same CPU costs would give %s through / %s direct = %s%n%n",
                Format.rate(throughBound), Format.rate(directBound), Format.percent(throughBound / directBound));
    }

    /** Says so if the JIT still compiled for more than 5 % of a measured window. */
    static void warnIfJitCompiled(List<LoadPhase.Result> results) {
        for (LoadPhase.Result r : results) {
            warnIfJitCompiled(r.cpu(), r.target());
        }
    }

    /** Says so if the JIT still compiled for more than 5 % of the {@code window} that {@code usage} covers. */
    static void warnIfJitCompiled(CpuMeter.Usage usage, String window) {
        if (usage.jitMillis() * 20 > usage.wallNanos() / 1_000_000) {
            System.out.printf("  (the JIT compiled for %d ms of the %s window: warm up longer with --warmup)%n", usage.jitMillis(),
                    window);
        }
    }

    private static void printOpen(double rate, boolean half, LoadPhase.Result gateway, LoadPhase.Result direct) {
        printOpen(rate, half ? "the gateway's" : null, "the gateway", gateway, direct);
    }

    /**
     * The open-loop table of a target against direct calls at the same rate, and what the target adds.
     *
     * @param halfOf whose saturating rate {@code rate} is half of, or null if it was given
     */
    static void printOpen(double rate, String halfOf, String addedBy, LoadPhase.Result gateway, LoadPhase.Result direct) {
        System.out.printf("fixed rate (open loop) at %s requests/s%s%n", Format.rate(rate),
                halfOf != null ? " = half " + halfOf + " saturating rate" : "");
        System.out.println("                         achieved/s       p50       p90       p99     p99.9       max   queued   failed");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            LatencySamples l = r.latencies();
            System.out.printf("  %-22s %10s %9s %9s %9s %9s %9s %8d %8d%n", r.target(), Format.rate(r.perSecond()),
                    Format.latency(l.quantile(0.5)), Format.latency(l.quantile(0.9)), Format.latency(l.quantile(0.99)),
                    Format.latency(l.quantile(0.999)), Format.latency(l.max()), r.backlogged(), r.failed());
        }
        warnIfJitCompiled(List.of(gateway, direct));
        System.out.println("waited for a core while ready to run (run queue), µs per request, by thread role");
        for (LoadPhase.Result r : List.of(gateway, direct)) {
            StringBuilder line = new StringBuilder(String.format("  %-22s", r.target()));
            r.cpu().waited().forEach((role, nanos) -> {
                if (r.cpu().role(role) > 0) {
                    line.append(String.format("  %s %s", role, Format.decimal(nanos / 1000.0 / Math.max(1, r.completed()), 1)));
                }
            });
            System.out.println(line);
        }
        System.out.printf("  added by %s: p50 %s, p99 %s (other processes: %s / %s cores)%n", addedBy,
                Format.signedLatency(gateway.latencies().quantile(0.5) - direct.latencies().quantile(0.5)),
                Format.signedLatency(gateway.latencies().quantile(0.99) - direct.latencies().quantile(0.99)),
                Format.decimal(gateway.cpu().otherProcessesCores(), 2), Format.decimal(direct.cpu().otherProcessesCores(), 2));
    }
}
