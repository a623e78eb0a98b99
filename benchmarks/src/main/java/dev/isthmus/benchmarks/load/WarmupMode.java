package dev.isthmus.benchmarks.load;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The warm-up cliff: the cross-cluster path of {@code cross} (plain HTTP/1.1 clients → west → HTTP/2 mTLS → east →
 * backend) with both gateways in FRESH JVMs started with the flags under test, loaded the moment they are ready
 * and measured second by second, against a steady-state window later in the same run.
 *
 * <p>The generator and the backend run in this JVM, and are warmed up first against the backend directly, so that
 * the only cold code in the measurement is the gateways'. Each gateway JVM logs its GC pauses, safepoints and JIT
 * compilations ({@link VmLog}) to files, which are read back after the run and laid onto the same seconds.
 */
final class WarmupMode {

    /** The Deployment's {@code gateway run --warmup}, in seconds: the default of {@code --gateway-warmup} (0: none). */
    static final String MANIFEST_WARMUP_SECONDS = "30";

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("jvm", GatewayProcess.MANIFEST_JVM);
        OPTIONS.put("connections", "32");
        OPTIONS.put("seconds", "60");
        OPTIONS.put("first", "10");
        OPTIONS.put("steady-from", "50");
        OPTIONS.put("prewarm", "20");
        OPTIONS.put("gateway-threads", "1");
        OPTIONS.put("client-threads", "1");
        OPTIONS.put("gateway-warmup", MANIFEST_WARMUP_SECONDS);
        OPTIONS.put("keep-logs", "false");
    }

    private WarmupMode() {}

    /** What one second (or a window of seconds) of load saw. */
    /** @param otherCores cores kept busy by processes other than this one and the two gateways: the noise of a shared machine */
    private record Second(long completed, long failed, LatencySamples latencies, ProcessCpu west, ProcessCpu east, double otherCores) {}

    static void run(Options options) throws Exception {
        List<String> jvm = GatewayProcess.flags(options.string("jvm"));
        int connections = options.positive("connections");
        int seconds = options.positive("seconds");
        int first = options.positive("first");
        int steadyFrom = options.integer("steady-from");
        if (first > seconds || steadyFrom < first || steadyFrom >= seconds) {
            throw new Options.UsageException("--first " + first + " --steady-from " + steadyFrom + " --seconds " + seconds
                    + " (expected: first <= steady-from < seconds)");
        }
        Duration prewarm = options.seconds("prewarm");
        int gatewayThreads = options.positive("gateway-threads");
        boolean keepLogs = options.flag("keep-logs");
        String gatewayWarmup = options.string("gateway-warmup");
        options.decimal("gateway-warmup"); // a number, checked before anything starts

        LoadPki pki = LoadPki.create();
        Path dir = Files.createTempDirectory("isthmus-warmup-");
        pki.writeFiles(dir, "east", pki.gateway());
        pki.writeFiles(dir, "west", pki.peer());
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(options.positive("client-threads"),
                new DefaultThreadFactory("load-client"), NioIoHandler.newFactory());
        try (TrivialBackend backend = new TrivialBackend()) {
            // The generator's and the backend's code are hot before any gateway starts: a cold harness is no gateway's cliff.
            List<LoadLoop> direct = LoadLoop.on(clients);
            open(direct, new InetSocketAddress("127.0.0.1", backend.port()), connections);
            LoadPhase.warmUp(direct, prewarm);
            for (LoadLoop loop : direct) {
                loop.executor().submit(loop::closeAll).sync();
            }

            int mirrorPort = CrossMode.freePort();
            long eastStart = System.nanoTime();
            try (GatewayProcess east = GatewayProcess.east(List.of(), withLogs(jvm, dir, "east"), dir, gatewayThreads, backend.port(),
                    gatewayWarmup)) {
                long eastReady = System.nanoTime();
                long westStart = System.nanoTime();
                try (GatewayProcess west = GatewayProcess.west(List.of(), withLogs(jvm, dir, "west"), dir, gatewayThreads, east.port(),
                        mirrorPort, gatewayWarmup)) {
                    long westReady = System.nanoTime();
                    ProcessMemory westAtReady = ProcessMemory.of(west.pid());
                    ProcessMemory eastAtReady = ProcessMemory.of(east.pid());
                    List<LoadLoop> viaWest = LoadLoop.on(clients);
                    open(viaWest, new InetSocketAddress("127.0.0.1", mirrorPort), connections);
                    long loadStart = System.nanoTime();
                    List<Second> perSecond = load(viaWest, seconds, west.pid(), east.pid());
                    Map<String, String> westStats = west.stats();
                    Map<String, String> eastStats = east.stats();
                    for (LoadLoop loop : viaWest) {
                        loop.executor().submit(loop::closeAll).sync();
                    }
                    // Where the load's start falls on each JVM's own clock, which stamps its log lines.
                    long westLoadUptime = Long.parseLong(west.ready().get("uptime")) + (loadStart - westReady) / 1_000_000;
                    long eastLoadUptime = Long.parseLong(east.ready().get("uptime")) + (loadStart - eastReady) / 1_000_000;
                    west.close();
                    east.close();
                    Report report = new Report(perSecond, first, steadyFrom, seconds,
                            new Jvm("west", VmLog.read(dir, "west"), westLoadUptime), new Jvm("east", VmLog.read(dir, "east"), eastLoadUptime));
                    System.out.printf("warmup: %d CPUs; west and east gateways each in a fresh JVM (%s I/O thread(s)), %d plaintext "
                            + "HTTP/1.1 keep-alive clients through west → HTTP/2 mTLS → east → backend, closed loop, from the moment "
                            + "both are ready, for %d s%n", Runtime.getRuntime().availableProcessors(), gatewayThreads, connections,
                            seconds);
                    System.out.printf("        gateway JVM flags: %s%n", jvm.isEmpty() ? "(none: the JVM's defaults)" : String.join(" ", jvm));
                    System.out.printf("        start to ready: east %s (JVM uptime %s ms), west %s (JVM uptime %s ms; includes its "
                            + "first probe of east); generator and backend warmed up for %s s first%n", Format.latency(eastReady - eastStart),
                            east.ready().get("uptime"), Format.latency(westReady - westStart), west.ready().get("uptime"),
                            RpsMode.seconds(prewarm));
                    System.out.printf("        the gateways' own warm-up before ready (--gateway-warmup, at most %s s): east %s ms, "
                            + "%s requests and %s new connections; west %s ms, %s requests and %s new connections%n", gatewayWarmup,
                            east.ready().get("warmupMillis"), east.ready().get("warmupRequests"), east.ready().get("warmupConnections"),
                            west.ready().get("warmupMillis"), west.ready().get("warmupRequests"), west.ready().get("warmupConnections"));
                    System.out.printf("        the warm-ups stopped: east: %s (%s failed); west: %s (%s failed)%n",
                            east.ready().get("warmupStopped").replace('_', ' '), east.ready().get("warmupFailed"),
                            west.ready().get("warmupStopped").replace('_', ' '), west.ready().get("warmupFailed"));
                    System.out.printf("        resident memory at ready: east %s, west %s%n%n", Format.mib(eastAtReady.rssKib()),
                            Format.mib(westAtReady.rssKib()));
                    report.print();
                    System.out.printf("%nJIT compile time over the whole life of each JVM (CompilationMXBean): west %s ms, east %s ms%n",
                            westStats.get("compileMillis"), eastStats.get("compileMillis"));
                }
            }
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (keepLogs) {
                System.out.println("the gateways' GC, safepoint and JIT logs: " + dir);
            } else {
                GatewayProcess.deleteTree(dir);
            }
        }
    }

    private static List<String> withLogs(List<String> jvm, Path dir, String role) {
        List<String> flags = new ArrayList<>(jvm);
        flags.addAll(VmLog.flags(dir, role));
        return flags;
    }

    private static void open(List<LoadLoop> loops, InetSocketAddress target, int connections) throws InterruptedException {
        List<Future<Lane>> opening = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            opening.add(Http1Lane.open(loops.get(i % loops.size()), target));
        }
        LoadLoop.awaitOpen(opening);
    }

    /** Closed-loop load for {@code seconds}, a window a second: each loop ends one window and starts the next in one task. */
    private static List<Second> load(List<LoadLoop> loops, int seconds, long westPid, long eastPid) throws Exception {
        for (LoadLoop loop : loops) {
            loop.executor().submit(() -> {
                loop.startWindow();
                loop.startClosed();
            }).sync();
        }
        long start = System.nanoTime();
        ProcessCpu westBefore = ProcessCpu.of(westPid);
        ProcessCpu eastBefore = ProcessCpu.of(eastPid);
        long machineBefore = CpuMeter.machineBusyNanos();
        long selfBefore = selfCpuNanos();
        long wallBefore = System.nanoTime();
        List<Second> result = new ArrayList<>();
        for (int s = 1; s <= seconds; s++) {
            long sleep = start + TimeUnit.SECONDS.toNanos(s) - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            long completed = 0;
            long failed = 0;
            LatencySamples latencies = new LatencySamples();
            for (LoadLoop loop : loops) {
                LoadLoop.Window window = loop.executor().submit(() -> {
                    LoadLoop.Window ended = loop.endWindow();
                    loop.startWindow();
                    return ended;
                }).get();
                completed += window.completed();
                failed += window.failed();
                latencies.addAll(window.latencies());
            }
            ProcessCpu westNow = ProcessCpu.of(westPid);
            ProcessCpu eastNow = ProcessCpu.of(eastPid);
            long machineNow = CpuMeter.machineBusyNanos();
            long selfNow = selfCpuNanos();
            long wallNow = System.nanoTime();
            ProcessCpu westSecond = westNow.since(westBefore);
            ProcessCpu eastSecond = eastNow.since(eastBefore);
            double others = machineNow < 0 ? Double.NaN : Math.max(0, (machineNow - machineBefore) - (selfNow - selfBefore)
                    - (westSecond.totalMillis() + eastSecond.totalMillis()) * 1_000_000L) / (double) (wallNow - wallBefore);
            result.add(new Second(completed, failed, latencies, westSecond, eastSecond, others));
            westBefore = westNow;
            eastBefore = eastNow;
            machineBefore = machineNow;
            selfBefore = selfNow;
            wallBefore = wallNow;
        }
        for (LoadLoop loop : loops) {
            loop.executor().submit(loop::stop).sync();
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (LoadLoop loop : loops) {
            while (loop.executor().submit(loop::inFlight).get() > 0 && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        return result;
    }

    private static long selfCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** A gateway JVM's log events, and its uptime when the load started (second 0). */
    private record Jvm(String role, List<VmLog.Event> events, long loadStartUptime) {
        VmLog.Summary in(VmLog.Kind kind, int fromSecond, int toSecond) {
            return VmLog.summarize(events, kind, loadStartUptime + fromSecond * 1000L, loadStartUptime + toSecond * 1000L);
        }
    }

    private record Report(List<Second> seconds, int first, int steadyFrom, int steadyTo, Jvm west, Jvm east) {

        void print() {
            System.out.println("second  requests/s       p50       p99       max  failed | west CPU ms  JIT ms  GC n  GC ms  comp   n.e. "
                    + "| east CPU ms  JIT ms  GC n  GC ms  comp   n.e. | others");
            for (int s = 0; s < seconds.size(); s++) {
                Second second = seconds.get(s);
                LatencySamples l = second.latencies();
                System.out.printf("%6d %11s %9s %9s %9s %7d | %s | %s | %6s%s%n", s + 1, Format.rate(second.completed()),
                        Format.latency(l.quantile(0.5)), Format.latency(l.quantile(0.99)), Format.latency(l.max()), second.failed(),
                        vmColumns(west, second.west(), s), vmColumns(east, second.east(), s), Format.decimal(second.otherCores(), 2),
                        s + 1 == first || s + 1 == steadyFrom ? "   ----" : "");
            }
            Second head = merge(0, first);
            Second steady = merge(steadyFrom, steadyTo);
            double headRate = head.completed() / (double) first;
            double steadyRate = steady.completed() / (double) (steadyTo - steadyFrom);
            long headP99 = head.latencies().quantile(0.99);
            long steadyP99 = steady.latencies().quantile(0.99);
            System.out.printf("%nwindow                   requests/s       p50       p99     p99.9       max   failed  other processes%n");
            printWindow("first " + first + " s (1-" + first + ")", head, first);
            printWindow("steady (" + (steadyFrom + 1) + "-" + steadyTo + ")", steady, steadyTo - steadyFrom);
            double rateRatio = headRate / steadyRate;
            double p99Ratio = headP99 / (double) Math.max(1, steadyP99);
            System.out.printf("%nfirst %d s against steady: requests/s %s, p99 %s× (aim: within 2×, i.e. requests/s at least "
                    + "50 %% and p99 at most 2×: %s)%n", first, Format.percent(rateRatio), Format.decimal(p99Ratio, 2),
                    rateRatio >= 0.5 && p99Ratio <= 2 ? "met" : "NOT met");
            double worstRate = Double.MAX_VALUE;
            long worstP99 = 0;
            for (int s = 0; s < first; s++) {
                worstRate = Math.min(worstRate, seconds.get(s).completed());
                worstP99 = Math.max(worstP99, seconds.get(s).latencies().quantile(0.99));
            }
            System.out.printf("  worst single second of the first %d: requests/s %s of steady, p99 %s× steady%n", first,
                    Format.percent(worstRate / steadyRate), Format.decimal(worstP99 / (double) Math.max(1, steadyP99), 2));
            long steadyWorstSecondP99 = 0;
            for (int s = steadyFrom; s < steadyTo; s++) {
                steadyWorstSecondP99 = Math.max(steadyWorstSecondP99, seconds.get(s).latencies().quantile(0.99));
            }
            System.out.printf("  steady window: worst second's p99 %s, %s× the window's p99 (a GC or JIT spike shows here)%n",
                    Format.latency(steadyWorstSecondP99), Format.decimal(steadyWorstSecondP99 / (double) Math.max(1, steadyP99), 2));

            System.out.printf("%npauses and JIT    window          GC pauses: n   max      total  | other safepoints: n   max"
                    + "      total  | compiled C1  C2  n.e. | JIT threads CPU%n");
            for (Jvm jvm : List.of(west, east)) {
                printVm(jvm, "first " + first + " s", 0, first);
                printVm(jvm, "steady", steadyFrom, steadyTo);
            }
        }

        private String vmColumns(Jvm jvm, ProcessCpu cpu, int s) {
            VmLog.Summary gc = jvm.in(VmLog.Kind.GC_PAUSE, s, s + 1);
            int compiled = jvm.in(VmLog.Kind.COMPILE_C1, s, s + 1).count() + jvm.in(VmLog.Kind.COMPILE_C2, s, s + 1).count();
            return String.format("%11d %7d %5d %6s %5d %6d", cpu.totalMillis(), cpu.jitMillis(), gc.count(),
                    Format.decimal(gc.totalNanos() / 1e6, 1), compiled, jvm.in(VmLog.Kind.NOT_ENTRANT, s, s + 1).count());
        }

        private void printWindow(String name, Second window, int length) {
            LatencySamples l = window.latencies();
            System.out.printf("  %-22s %11s %9s %9s %9s %9s %8d  %s cores%n", name, Format.rate(window.completed() / (double) length),
                    Format.latency(l.quantile(0.5)), Format.latency(l.quantile(0.99)), Format.latency(l.quantile(0.999)),
                    Format.latency(l.max()), window.failed(), Format.decimal(window.otherCores(), 2));
        }

        private void printVm(Jvm jvm, String window, int from, int to) {
            VmLog.Summary gc = jvm.in(VmLog.Kind.GC_PAUSE, from, to);
            VmLog.Summary safepoints = jvm.in(VmLog.Kind.SAFEPOINT, from, to);
            long jitCpu = 0;
            for (int s = from; s < to; s++) {
                jitCpu += (jvm == west ? seconds.get(s).west() : seconds.get(s).east()).jitMillis();
            }
            System.out.printf("  %-5s %-14s %12d %9s %9s | %18d %9s %9s | %11d %3d %6d | %d ms%n", jvm.role(), window, gc.count(),
                    Format.latency(gc.maxNanos()), Format.latency(gc.totalNanos()), safepoints.count(), Format.latency(safepoints.maxNanos()),
                    Format.latency(safepoints.totalNanos()), jvm.in(VmLog.Kind.COMPILE_C1, from, to).count(),
                    jvm.in(VmLog.Kind.COMPILE_C2, from, to).count(), jvm.in(VmLog.Kind.NOT_ENTRANT, from, to).count(), jitCpu);
        }

        private Second merge(int from, int to) {
            long completed = 0;
            long failed = 0;
            LatencySamples latencies = new LatencySamples();
            for (int s = from; s < to; s++) {
                completed += seconds.get(s).completed();
                failed += seconds.get(s).failed();
                latencies.addAll(seconds.get(s).latencies());
            }
            double others = 0;
            for (int s = from; s < to; s++) {
                others += seconds.get(s).otherCores() / (to - from);
            }
            return new Second(completed, failed, latencies, new ProcessCpu(0, 0), new ProcessCpu(0, 0), others);
        }
    }
}
