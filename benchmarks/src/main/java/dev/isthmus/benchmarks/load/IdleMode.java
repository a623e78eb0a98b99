package dev.isthmus.benchmarks.load;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Resident memory of a gateway holding N idle mTLS connections. The gateway runs alone in a child JVM
 * ({@link GatewayProcess}) with the flags under test; this process opens the connections, each a peer's
 * HTTP/2 session (handshake, transport header, SETTINGS both ways) that then does nothing, and reads the
 * child's {@code VmRSS} before and after.
 *
 * <p>"Before" is taken after a warm-up of a few hundred connections opened and closed, so that the
 * classes, JIT code and buffer pools every connection needs are already in it, and the difference is
 * what the connections themselves hold.
 */
final class IdleMode {

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("connections", "10000");
        OPTIONS.put("jvm", GatewayProcess.MANIFEST_JVM);
        OPTIONS.put("io-threads", "0");
        OPTIONS.put("client-threads", "2");
        OPTIONS.put("in-flight", "64");
        OPTIONS.put("warm", "300");
        OPTIONS.put("settle", "10");
        OPTIONS.put("sources", "0");
        OPTIONS.put("hold", "0");
    }

    private IdleMode() {}

    static void run(Options options) throws Exception {
        int connections = options.positive("connections");
        List<String> jvm = GatewayProcess.flags(options.string("jvm"));
        int ioThreads = options.integer("io-threads");
        int inFlight = options.positive("in-flight");
        long settleMillis = options.seconds("settle").toMillis();
        int sourceCount = options.integer("sources") > 0 ? options.integer("sources") : 1 + connections / 20_000;
        List<SocketAddress> sources = HandshakeMode.sources(sourceCount);

        LoadPki pki = LoadPki.create();
        Path dir = Files.createTempDirectory("isthmus-idle-");
        pki.writeGatewayFiles(dir);
        SslContext tls = pki.peerContext(false);
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(options.positive("client-threads"),
                new DefaultThreadFactory("load-client"), NioIoHandler.newFactory());
        Queue<Channel> open = new ConcurrentLinkedQueue<>();
        try (GatewayProcess gateway = new GatewayProcess(jvm, dir, ioThreads, connections + 1000)) {
            long pid = gateway.pid();
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", gateway.port());
            System.out.printf("idle: gateway in its own JVM, pid %d, %s I/O threads, open files limit %s%n", pid,
                    ioThreads == 0 ? "one per core:" + Runtime.getRuntime().availableProcessors() : Integer.toString(ioThreads),
                    ProcessMemory.fileLimit(pid));
            System.out.printf("      JVM flags: %s%n", jvm.isEmpty() ? "(none: the JVM's defaults)" : String.join(" ", jvm));
            System.out.printf("      harness: open files limit %s; %d source address(es)%n%n",
                    ProcessMemory.fileLimit(ProcessHandle.current().pid()), Math.max(1, sources.size()));
            ProcessMemory fresh = ProcessMemory.of(pid);
            print("fresh, no connection yet", fresh, gateway.stats());

            Opened warm = openAll(clients, address, tls, sources, options.integer("warm"), inFlight, open);
            closeAll(open);
            Thread.sleep(settleMillis);
            gateway.gc();
            ProcessMemory before = ProcessMemory.of(pid);
            Map<String, String> beforeStats = gateway.stats();
            print("after " + warm.count + " connections opened and closed (warm-up), GC", before, beforeStats);

            Opened all = openAll(clients, address, tls, sources, connections, inFlight, open);
            System.out.printf("  opened %,d connections in %s s (%s/s)%s%n", all.count, Format.decimal(all.seconds, 1),
                    Format.rate(all.count / all.seconds), all.failed > 0 ? "; " + all.failed + " failed, last: " + all.lastFailure : "");
            Thread.sleep(settleMillis);
            ProcessMemory after = ProcessMemory.of(pid);
            Map<String, String> afterStats = gateway.stats();
            print("with " + all.count + " idle connections", after, afterStats);
            gateway.gc();
            ProcessMemory afterGc = ProcessMemory.of(pid);
            Map<String, String> afterGcStats = gateway.stats();
            print("the same, after a full GC", afterGc, afterGcStats);
            System.out.printf("  open files in the gateway process: %,d; connections the gateway counts as open: %s%n",
                    ProcessMemory.openFiles(pid), afterGcStats.get("open"));

            long perConnectionRss = (after.rssKib() - before.rssKib()) * 1024 / Math.max(1, all.count);
            long perConnectionHeap = (Long.parseLong(afterGcStats.get("heapUsed")) - Long.parseLong(beforeStats.get("heapUsed")))
                    / Math.max(1, all.count);
            System.out.printf("%nper idle connection: %s of RSS, of which %s live Java heap (the rest: BoringSSL's state, "
                    + "malloc, heap headroom; socket buffers are kernel memory)%n", Format.bytes(perConnectionRss),
                    Format.bytes(perConnectionHeap));
            System.out.printf("RSS with %,d idle connections: %s (peak %s)%s%n", all.count, Format.mib(after.rssKib()),
                    Format.mib(after.peakRssKib()), all.count < 10_000 ? ""
                            : "; aim, with 10,000: under 300 MiB in all: " + (after.rssKib() < 300 * 1024 ? "met" : "NOT met"));
            long hold = (long) (options.decimal("hold") * 1000);
            if (hold > 0) {
                System.out.printf("%nholding the connections for %s s: jcmd %d GC.class_histogram, VM.native_memory summary "
                        + "(with -XX:NativeMemoryTracking=summary in --jvm) ...%n", Format.decimal(hold / 1000.0, 0), pid);
                Thread.sleep(hold);
            }
            closeAll(open);
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            GatewayProcess.deleteTree(dir);
        }
    }

    private record Opened(int count, int failed, double seconds, String lastFailure) {}

    /** Opens {@code count} sessions, at most {@code inFlight} at a time, spread over the client loops; keeps them in {@code open}. */
    private static Opened openAll(EventLoopGroup clients, SocketAddress gateway, SslContext tls, List<SocketAddress> sources,
            int count, int inFlight, Queue<Channel> open) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> lastFailure = new AtomicReference<>();
        Http2FrameAdapter ignore = new Http2FrameAdapter();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no connection finished opening for 30 s");
            }
            SocketAddress local = sources.isEmpty() ? null : sources.get(i % sources.size());
            PeerConnection.open((EventLoop) clients.next(), gateway, local, tls, ignore).addListener(f -> {
                if (f.isSuccess()) {
                    open.add((Channel) f.getNow());
                } else {
                    failed.incrementAndGet();
                    lastFailure.set(String.valueOf(f.cause()));
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connections still opening 60 s after the last started");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Opened(count - (int) failed.get(), (int) failed.get(), seconds, lastFailure.get());
    }

    private static void closeAll(Queue<Channel> open) {
        List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
        for (Channel channel; (channel = open.poll()) != null; ) {
            closing.add(channel.close());
        }
        closing.forEach(f -> f.awaitUninterruptibly(10, TimeUnit.SECONDS));
    }

    private static void print(String when, ProcessMemory memory, Map<String, String> stats) {
        System.out.printf("  %-52s RSS %10s   heap used %9s of %9s   non-heap %8s   Netty direct %8s   threads %d%n", when,
                Format.mib(memory.rssKib()), Format.bytes(Long.parseLong(stats.get("heapUsed"))),
                Format.bytes(Long.parseLong(stats.get("heapCommitted"))), Format.bytes(Long.parseLong(stats.get("nonHeapUsed"))),
                Format.bytes(Long.parseLong(stats.get("nettyDirect"))), memory.threads());
    }
}
