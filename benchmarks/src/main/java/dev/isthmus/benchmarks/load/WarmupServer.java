package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.GatewayWarmup;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A gateway of the {@code warmup} mode in a fresh JVM of its own: {@code --role east} exports the parent's backend,
 * {@code --role west} mirrors it from east, as in the {@code cross} mode; with {@code --gateway-warmup <s>} it first runs
 * the gateway's own warm-up ({@link GatewayWarmup}, what {@code gateway run --warmup} does). It prints
 * {@code READY port=<inbound port> uptime=<ms>} once it would pass its readiness probe (west: also once it has
 * probed east alive, or no request could pass), then answers {@code stats} (the JIT's compile time so far) and
 * {@code quit} on stdin. The end of stdin also ends it, so it never outlives the harness.
 */
final class WarmupServer {

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("role", "east");
        OPTIONS.put("dir", "");
        OPTIONS.put("io-threads", "1");
        OPTIONS.put("backend-port", "0");
        OPTIONS.put("east-port", "0");
        OPTIONS.put("mirror-port", "0");
        OPTIONS.put("gateway-warmup", "0");
    }

    private WarmupServer() {}

    static void run(Options options) throws Exception {
        Path dir = Path.of(options.string("dir"));
        String role = options.string("role");
        int ioThreads = options.positive("io-threads");
        // What `gateway run --warmup` does before it listens: the gateway's own loopback warm-up.
        GatewayWarmup.Outcome warmup = GatewayWarmup.run(ioThreads,
                GatewayWarmup.Settings.upTo(Duration.ofMillis((long) (options.decimal("gateway-warmup") * 1000))), Clock.systemUTC());
        GatewayUnderTest gateway = switch (role) {
            case "east" -> new GatewayUnderTest(LoadPki.GATEWAY, LoadPki.readKey(dir, "east"), LoadPki.readAnchors(dir),
                    ioThreads, GatewayUnderTest.exporting(options.positive("backend-port")), 10_000, Duration.ofMinutes(10));
            case "west" -> new GatewayUnderTest(LoadPki.PEER, LoadPki.readKey(dir, "west"), LoadPki.readAnchors(dir), ioThreads,
                    GatewayUnderTest.mirroring(options.positive("mirror-port"), CrossMode.MIRROR, new RemoteTarget(CrossMode.LINK,
                            List.of(new Endpoint("127.0.0.1", options.positive("east-port"), true)), LoadPki.GATEWAY,
                            GatewayUnderTest.SERVICE, GatewayUnderTest.SERVICE_PORT)),
                    10_000, Duration.ofMinutes(10));
            default -> throw new Options.UsageException("--role " + role + " (expected: east or west)");
        };
        try (gateway) {
            String notReady = gateway.gateway().notReadyReason();
            if (notReady != null) {
                throw new IllegalStateException("gateway started but is not ready: " + notReady);
            }
            if (role.equals("west")) {
                CrossMode.awaitLink(gateway.gateway(), options.positive("mirror-port"));
            }
            System.out.println("READY port=" + gateway.address().getPort() + " uptime="
                    + ManagementFactory.getRuntimeMXBean().getUptime() + " warmupMillis=" + warmup.took().toMillis()
                    + " warmupRequests=" + warmup.requests() + " warmupConnections=" + warmup.handshakes() + " warmupFailed=" + warmup.failed()
                    + " warmupStopped=" + warmup.stoppedBecause().replaceAll("\\s+", "_"));
            System.out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command; (command = commands.readLine()) != null; ) {
                switch (command.trim()) {
                    case "stats" -> System.out.println("STATS compileMillis="
                            + ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
                            + " uptime=" + ManagementFactory.getRuntimeMXBean().getUptime()
                            + " heapCommitted=" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("ERROR unknown command '" + command + "' (expected: stats, quit)");
                }
                System.out.flush();
            }
        }
    }
}
