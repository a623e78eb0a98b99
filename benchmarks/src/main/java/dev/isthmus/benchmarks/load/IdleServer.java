package dev.isthmus.benchmarks.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway process of the {@code idle} mode: a gateway alone in a fresh JVM, so that its resident
 * memory is its own. It prints {@code READY port=<port>} once listening, then answers one-line commands
 * on stdin: {@code stats} (heap, direct memory, open connections), {@code gc}, {@code quit}. The end of
 * stdin also ends it, so it never outlives the harness.
 */
final class IdleServer {

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("dir", "");
        OPTIONS.put("io-threads", "0");
        OPTIONS.put("max-connections", "20000");
        OPTIONS.put("idle-timeout", "3600");
    }

    private IdleServer() {}

    static void run(Options options) throws Exception {
        Path dir = Path.of(options.string("dir"));
        try (GatewayUnderTest gateway = new GatewayUnderTest(LoadPki.readGatewayKey(dir), LoadPki.readAnchors(dir),
                options.integer("io-threads"), 9, options.positive("max-connections"), options.seconds("idle-timeout"))) {
            System.out.println("READY port=" + gateway.address().getPort());
            System.out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command; (command = commands.readLine()) != null; ) {
                switch (command.trim()) {
                    case "stats" -> System.out.println("STATS " + stats(gateway));
                    case "gc" -> {
                        System.gc();
                        System.out.println("OK");
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("ERROR unknown command '" + command + "' (expected: stats, gc, quit)");
                }
                System.out.flush();
            }
        }
    }

    private static String stats(GatewayUnderTest gateway) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long nettyDirect = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider.metric().usedDirectMemory() : -1;
        long jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return "heapUsed=" + memory.getHeapMemoryUsage().getUsed()
                + " heapCommitted=" + memory.getHeapMemoryUsage().getCommitted()
                + " nonHeapUsed=" + memory.getNonHeapMemoryUsage().getUsed()
                + " nettyDirect=" + nettyDirect
                + " jdkDirect=" + jdkDirect
                + " open=" + gateway.gateway().metrics().openConnections()
                + " allocator=" + ByteBufAllocator.DEFAULT.getClass().getSimpleName();
    }

    /** Parses a {@code <prefix>k=v …} line ({@code STATS }, {@code READY }); a word without {@code =} is skipped. */
    static Map<String, String> parse(String line, String prefix) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : line.substring(prefix.length()).split(" ")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                values.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return values;
    }
}
