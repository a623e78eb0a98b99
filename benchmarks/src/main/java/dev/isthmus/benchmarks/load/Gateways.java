package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The gateways of an {@code rps} or {@code cross} run, where {@code --gateways} puts them.
 *
 * <ul>
 *   <li>{@code threads} (the default): in this JVM, each on I/O threads of its own, beside the generator and the backend.
 *       Each role's CPU, system calls and heap bytes are told apart thread by thread. A collection of this JVM stops the
 *       generator, the backend and the gateways at once.
 *   <li>{@code processes}: each gateway in a JVM of its own, started with {@code --jvm} (the manifests' flags by default),
 *       as a cluster runs it: its collector sweeps only its own heap, and what it pauses is only itself. Its CPU is the
 *       whole process's, collector and JIT included, as the kernel counts it.
 * </ul>
 */
final class Gateways implements AutoCloseable {

    static final String THREADS = "threads";
    static final String PROCESSES = "processes";

    private static final Pattern CPU_LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");

    private final GatewayUnderTest eastInJvm;
    private final GatewayUnderTest westInJvm;
    private final GatewayProcess eastProcess;
    private final GatewayProcess westProcess;
    private final List<String> jvm;
    private final List<String> launcher;
    private final Path dir;

    private Gateways(GatewayUnderTest eastInJvm, GatewayUnderTest westInJvm, GatewayProcess eastProcess, GatewayProcess westProcess,
            List<String> jvm, List<String> launcher, Path dir) {
        this.eastInJvm = eastInJvm;
        this.westInJvm = westInJvm;
        this.eastProcess = eastProcess;
        this.westProcess = westProcess;
        this.jvm = jvm;
        this.launcher = launcher;
        this.dir = dir;
    }

    /** Whether {@code --gateways} asks for processes; refuses anything but the two placements. */
    static boolean inProcesses(Options options) {
        String placement = options.string("gateways");
        if (!placement.equals(THREADS) && !placement.equals(PROCESSES)) {
            throw new Options.UsageException("--gateways " + placement + " (expected: " + THREADS + " or " + PROCESSES + ")");
        }
        boolean processes = placement.equals(PROCESSES);
        if (!processes && !options.string("gateway-cpus").isEmpty()) {
            throw new Options.UsageException("--gateway-cpus " + options.string("gateway-cpus") + " with --gateways " + placement
                    + " (expected: --gateways " + PROCESSES + "; threads of this JVM share its cores)");
        }
        launcher(options);
        return processes;
    }

    /**
     * {@code taskset -c <cpus>} for {@code --gateway-cpus <cpus>}, nothing without it: the gateways' JVMs on those cores alone.
     * Run the harness itself under {@code taskset} on the others, and the gateways have cores the generator and the backend
     * never take, as a pod with its own CPU has.
     */
    private static List<String> launcher(Options options) {
        String cpus = options.string("gateway-cpus");
        if (cpus.isEmpty()) {
            return List.of();
        }
        if (!CPU_LIST.matcher(cpus).matches()) {
            throw new Options.UsageException("--gateway-cpus " + cpus + " (expected: a CPU list as taskset takes it, such as 1, 2-3 "
                    + "or 0,2)");
        }
        return List.of("taskset", "-c", cpus);
    }

    /** East alone, exporting the backend on {@code backendPort}: the gateway of {@code rps}. */
    static Gateways east(Options options, LoadPki pki, int ioThreads, int backendPort) throws IOException, InterruptedException {
        return start(options, pki, ioThreads, backendPort, 0);
    }

    /**
     * East exporting the backend and west mirroring it from east on {@code mirrorPort}: the cross path. Returns once west
     * listens on that port and has probed east alive.
     */
    static Gateways cross(Options options, LoadPki pki, int ioThreads, int backendPort, int mirrorPort)
            throws IOException, InterruptedException {
        return start(options, pki, ioThreads, backendPort, mirrorPort);
    }

    private static Gateways start(Options options, LoadPki pki, int ioThreads, int backendPort, int mirrorPort)
            throws IOException, InterruptedException {
        boolean west = mirrorPort > 0;
        if (!inProcesses(options)) {
            GatewayUnderTest east = new GatewayUnderTest(LoadPki.GATEWAY, pki.gateway(), pki.anchors(), ioThreads,
                    GatewayUnderTest.exporting(backendPort), 10_000, Duration.ofMinutes(10));
            if (!west) {
                return new Gateways(east, null, null, null, List.of(), List.of(), null);
            }
            GatewayUnderTest mirror;
            try {
                mirror = new GatewayUnderTest(LoadPki.PEER, pki.peer(), pki.anchors(), ioThreads,
                        GatewayUnderTest.mirroring(mirrorPort, CrossMode.MIRROR, new RemoteTarget(CrossMode.LINK,
                                List.of(new Endpoint("127.0.0.1", east.address().getPort(), true)), LoadPki.GATEWAY,
                                GatewayUnderTest.SERVICE, GatewayUnderTest.SERVICE_PORT)),
                        10_000, Duration.ofMinutes(10));
            } catch (RuntimeException | InterruptedException e) {
                east.close();
                throw e;
            }
            Gateways both = new Gateways(east, mirror, null, null, List.of(), List.of(), null);
            try {
                CrossMode.awaitLink(mirror.gateway(), mirrorPort);
                return both;
            } catch (RuntimeException | InterruptedException e) {
                both.close();
                throw e;
            }
        }
        List<String> jvm = GatewayProcess.flags(options.string("jvm"));
        List<String> launcher = launcher(options);
        Path dir = Files.createTempDirectory("isthmus-load-");
        List<AutoCloseable> started = new ArrayList<>();
        try {
            pki.writeFiles(dir, "east", pki.gateway());
            pki.writeFiles(dir, "west", pki.peer());
            // The harness warms them up itself (--warmup), with the load it then measures.
            GatewayProcess east = GatewayProcess.east(launcher, jvm, dir, ioThreads, backendPort, "0");
            started.add(east);
            GatewayProcess mirror = west ? GatewayProcess.west(launcher, jvm, dir, ioThreads, east.port(), mirrorPort, "0") : null;
            return new Gateways(null, null, east, mirror, jvm, launcher, dir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (AutoCloseable gateway : started) {
                try {
                    gateway.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            GatewayProcess.deleteTree(dir);
            throw e;
        }
    }

    /** East's inbound (mTLS) address. */
    InetSocketAddress eastAddress() {
        return new InetSocketAddress("127.0.0.1", eastInJvm != null ? eastInJvm.address().getPort() : eastProcess.port());
    }

    /** Counts the one gateway (east) in {@code cpu} as {@code role}: its I/O threads here, or its whole process. */
    CpuMeter count(CpuMeter cpu, String role) throws InterruptedException {
        return count(cpu, role, null);
    }

    /** Counts east and west in {@code cpu}: their I/O threads here, or their whole processes. */
    CpuMeter count(CpuMeter cpu, String eastRole, String westRole) throws InterruptedException {
        if (eastInJvm != null) {
            cpu.role(eastRole, eastInJvm.gateway().workers());
            if (westInJvm != null) {
                cpu.role(westRole, westInJvm.gateway().workers());
            }
        } else {
            cpu.process(eastRole, eastProcess.pid());
            if (westProcess != null) {
                cpu.process(westRole, westProcess.pid());
            }
        }
        return cpu;
    }

    /** East in this JVM, for its meters; empty when it runs in a process of its own. */
    Optional<GatewayUnderTest> eastInJvm() {
        return Optional.ofNullable(eastInJvm);
    }

    /** West in this JVM, for its meters, probes and tap; empty when it runs in a process of its own (or there is none). */
    Optional<GatewayUnderTest> westInJvm() {
        return Optional.ofNullable(westInJvm);
    }

    /** One line for the report's head: where the gateways run, and with which flags. */
    String placement() {
        if (eastInJvm != null) {
            return "gateways in this JVM (--gateways threads), each on I/O threads of its own; CPU per request: their I/O threads";
        }
        return "gateways each in a JVM of its own (--gateways processes" + (launcher.isEmpty() ? "" : ", on CPUs " + launcher.get(2))
                + "), JVM flags: " + (jvm.isEmpty() ? "(none)" : String.join(" ", jvm))
                + "; CPU per request: the whole gateway process (collector and JIT included)";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (westInJvm != null) {
            westInJvm.close();
        }
        if (eastInJvm != null) {
            eastInJvm.close();
        }
        try {
            if (westProcess != null) {
                westProcess.close();
            }
            if (eastProcess != null) {
                eastProcess.close();
            }
        } finally {
            if (dir != null) {
                GatewayProcess.deleteTree(dir);
            }
        }
    }
}
