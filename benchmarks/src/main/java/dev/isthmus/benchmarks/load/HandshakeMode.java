package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * New mTLS connections per second that one gateway I/O thread accepts: a gateway with one I/O thread,
 * and a generator on other threads that keeps {@code concurrency} connections opening, each closed as
 * soon as the gateway's HTTP/2 SETTINGS show that it finished the handshake, authorized the peer and
 * routed the transport header. The generator keeps no TLS sessions, so each is a full TLS 1.3 handshake
 * with ECDSA P-256 certificates on both sides.
 *
 * <p>The figure that does not depend on how many cores the generator gets is the gateway thread's CPU
 * time per connection; one core then accepts {@code 1 s / that} connections per second.
 *
 * <p>With {@code --client-certs 1} every connection presents the same certificate chain, as one peer gateway
 * reconnecting does, and the gateway validates that chain in full only once; with {@code --client-certs n} the
 * generator presents {@code n} leaves of its own in turn, as {@code n} peers do (more than the gateway remembers
 * makes every handshake a full validation).
 */
final class HandshakeMode {

    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("concurrency", "32");
        OPTIONS.put("client-threads", "2");
        OPTIONS.put("warmup", "10");
        OPTIONS.put("duration", "10");
        OPTIONS.put("verify-gateway", "false");
        OPTIONS.put("sources", "1");
        OPTIONS.put("client-certs", "1");
        OPTIONS.put("key-exchange", "");
    }

    private HandshakeMode() {}

    static void run(Options options) throws Exception {
        int concurrency = options.positive("concurrency");
        int clientThreads = options.positive("client-threads");
        Duration warmup = options.seconds("warmup");
        Duration duration = options.seconds("duration");
        boolean verifyGateway = options.flag("verify-gateway");
        List<SocketAddress> sources = sources(options.positive("sources"));
        int clientCerts = options.positive("client-certs");
        KeyExchange keyExchange = keyExchange(options.string("key-exchange"));

        LoadPki pki = LoadPki.create();
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(clientThreads, new DefaultThreadFactory("load-client"),
                NioIoHandler.newFactory());
        // No request is ever made, so nothing listens behind the exported service.
        try (GatewayUnderTest gateway = new GatewayUnderTest(pki.gateway(), pki.anchors(), 1, 9, 100_000, Duration.ofMinutes(10),
                keyExchange)) {
            // The gateway's other event loop thread, its acceptor (which also serves the idle admin port), has Netty's
            // default name; the harness names its own threads.
            long[] gatewayThreads = threadIds(gateway.gateway().workers());
            CpuMeter cpu = new CpuMeter().role("generator", clients).role("gateway", gateway.gateway().workers())
                    .roleByName("acceptor", "multiThreadIoEventLoopGroup-");
            List<SslContext> tls = new ArrayList<>();
            for (CertifiedKey peer : pki.peers(clientCerts)) {
                tls.add(pki.peerContext(peer, verifyGateway));
            }
            List<HandshakeLoop> loops = new ArrayList<>();
            for (EventExecutor executor : clients) {
                loops.add(new HandshakeLoop((EventLoop) executor, gateway.address(), tls, sources));
            }
            System.out.printf("handshakes: %d CPUs; TLS %s, TLS 1.3, ECDSA P-256 on both sides; gateway %s with 1 I/O thread%n",
                    Runtime.getRuntime().availableProcessors(), TlsProviders.preferred(), gateway.address());
            System.out.printf("     generator: %d thread(s), %d connections opening at a time, %s the gateway's certificate, "
                    + "no session resumption; warmup %s s, measurement %s s%n", clientThreads, concurrency,
                    verifyGateway ? "verifying" : "not verifying", Format.decimal(warmup.toMillis() / 1000.0, 1),
                    Format.decimal(duration.toMillis() / 1000.0, 1));
            System.out.printf("     client certificates: %s%n%n", clientCerts == 1
                    ? "1 (one peer gateway reconnecting: the same chain every time)"
                    : clientCerts + " distinct leaves under the same issuer, presented in turn (many peers)");

            for (int i = 0; i < loops.size(); i++) {
                HandshakeLoop loop = loops.get(i);
                int slots = concurrency / loops.size() + (i < concurrency % loops.size() ? 1 : 0);
                loop.executor().submit(() -> loop.start(slots)).sync();
            }
            Thread.sleep(warmup.toMillis());
            double failuresBefore = gateway.count("isthmus.gateway.handshake.failures");
            long allocatedBefore = allocated(gatewayThreads);
            CpuMeter.Reading start = cpu.read();
            for (HandshakeLoop loop : loops) {
                loop.executor().submit(loop::startWindow).sync();
            }
            Thread.sleep(duration.toMillis());
            List<HandshakeLoop.Window> windows = new ArrayList<>();
            for (HandshakeLoop loop : loops) {
                windows.add(loop.executor().submit(loop::endWindow).get());
            }
            CpuMeter.Usage usage = cpu.read().since(start);
            long allocatedBytes = allocated(gatewayThreads) - allocatedBefore;
            double gatewayFailures = gateway.count("isthmus.gateway.handshake.failures") - failuresBefore;
            for (HandshakeLoop loop : loops) {
                loop.executor().submit(loop::stop).sync();
            }
            awaitChains(loops);

            long opened = 0;
            long failed = 0;
            double perSecond = 0;
            String lastFailure = null;
            String agreed = null;
            LatencySamples latencies = new LatencySamples();
            for (HandshakeLoop.Window w : windows) {
                opened += w.opened();
                failed += w.failed();
                perSecond += w.opened() / (w.nanos() / 1e9);
                latencies.addAll(w.latencies());
                lastFailure = w.lastFailure() != null ? w.lastFailure() : lastFailure;
                agreed = w.keyExchange() != null ? w.keyExchange() : agreed;
            }
            double gatewayMicros = usage.role("gateway") / 1000.0 / opened;
            double acceptorMicros = usage.role("acceptor") / 1000.0 / opened;
            System.out.printf("new connections accepted: %s/s (wall clock, %d in the window)%n", Format.rate(perSecond), opened);
            System.out.printf("  gateway I/O thread busy: %s of a core; per connection %s µs of its CPU, and %s µs of the "
                    + "acceptor thread's%n", Format.percent(usage.role("gateway") / (double) usage.wallNanos()),
                    Format.decimal(gatewayMicros, 1), Format.decimal(acceptorMicros, 1));
            System.out.printf("  => one gateway core: %s handshakes/s, %s/s counting the acceptor's share too (aim: at least 3,000)%n",
                    Format.rate(1e6 / gatewayMicros), Format.rate(1e6 / (gatewayMicros + acceptorMicros)));
            System.out.printf("  key exchange: %s (the gateway's tls.keyExchange: %s; the generator offers Netty's default, the "
                    + "post-quantum hybrid X25519MLKEM768 first, or -Djdk.tls.namedGroups)%n",
                    agreed == null ? "no connection" : agreed, keyExchange);
            System.out.printf("  gateway I/O thread allocates %s KiB of Java heap per connection (does not depend on the "
                    + "machine's load, unlike CPU time)%n", Format.decimal(allocatedBytes / 1024.0 / opened, 1));
            System.out.printf("  gateway I/O thread's system calls per connection: %s reads, %s writes (native epoll's "
                    + "recv/send are not counted: -Disthmus.ioTransport=nio counts them all)%n",
                    Format.decimal(usage.reads("gateway") / (double) opened, 2),
                    Format.decimal(usage.writes("gateway") / (double) opened, 2));
            System.out.printf("  generator: %s cores, %s µs per connection; rest of this JVM (GC, JIT): %s cores; "
                    + "other processes: %s cores%n", Format.decimal(usage.role("generator") / (double) usage.wallNanos(), 2),
                    Format.decimal(usage.role("generator") / 1000.0 / opened, 1),
                    Format.decimal(usage.otherInProcess() / (double) usage.wallNanos(), 2),
                    Format.decimal(usage.otherProcessesCores(), 2));
            RpsMode.warnIfJitCompiled(usage, "measured");
            System.out.printf("  connect to SETTINGS: p50 %s, p99 %s, max %s%n", Format.latency(latencies.quantile(0.5)),
                    Format.latency(latencies.quantile(0.99)), Format.latency(latencies.max()));
            System.out.printf("  failed: %d at the generator, %.0f handshake failures counted by the gateway%s%n", failed,
                    gatewayFailures, failed > 0 ? " (last: " + lastFailure + ")" : "");
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** {@code --key-exchange}: empty for the TLS library's default, else the gateway file's names, comma-separated. */
    static KeyExchange keyExchange(String names) {
        if (names.isEmpty()) {
            return KeyExchange.DEFAULT;
        }
        try {
            return KeyExchange.of(List.of(names.split(",", -1)));
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("--key-exchange " + names + ": " + e.getMessage());
        }
    }

    /** {@code 127.0.0.1}, {@code 127.0.0.2}, …: more source addresses, more ephemeral ports. One means "let the kernel pick". */
    static List<SocketAddress> sources(int count) {
        List<SocketAddress> sources = new ArrayList<>();
        if (count > 1) {
            for (int i = 1; i <= count; i++) {
                sources.add(new InetSocketAddress("127.0.0." + i, 0));
            }
        }
        return sources;
    }

    private static long[] threadIds(EventLoopGroup group) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (EventExecutor executor : group) {
            ids.add(executor.submit(() -> Thread.currentThread().getId()).get());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** Heap bytes the threads allocated since they started; HotSpot counts them per thread. */
    private static long allocated(long[] threads) {
        long sum = 0;
        for (long bytes : ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(threads)) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    private static void awaitChains(List<HandshakeLoop> loops) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < until) {
            int chains = 0;
            for (HandshakeLoop loop : loops) {
                chains += loop.executor().submit(loop::chains).get();
            }
            if (chains == 0) {
                return;
            }
            Thread.sleep(20);
        }
        System.out.println("  (warning: connections still opening 15 s after the window)");
    }
}
