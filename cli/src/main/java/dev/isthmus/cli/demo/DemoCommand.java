package dev.isthmus.cli.demo;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.tls.IdentityTrustManager;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus demo}: two clusters, east and west, on this machine, walked through the multicluster
 * guide step by step. Nothing needs Kubernetes; everything it starts is stopped when it ends, also on
 * Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run two clusters, east and west, on this machine and walk through the multicluster guide.")
public final class DemoCommand implements Callable<Integer> {

    static final String PODINFO = "podinfo.test.svc.cluster.local";
    static final int PODINFO_PORT = 9898;

    @Spec CommandSpec spec;

    @Option(names = "--keep-running", description = "Keep everything up after the walkthrough and print the addresses.")
    boolean keepRunning;

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("isthmus-demo-");
        Thread cleanup = new Thread(() -> stopAll(dir), "isthmus-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            walkthrough(dir);
            if (keepRunning) {
                out.println();
                out.println("Everything keeps running; press Ctrl-C to stop it. Files are in " + dir);
                out.flush();
                new CountDownLatch(1).await();
            }
            return 0;
        } finally {
            stopAll(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: it stops everything itself
            }
        }
    }

    private void walkthrough(Path dir) throws Exception {
        Clock clock = Clock.systemUTC();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        running.push(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());

        step("1. A trust anchor shared by both clusters (isthmus certs root)");
        CertificateAuthority root = CertificateAuthority.createRoot(DemoCluster.TRUST_DOMAIN, Duration.ofDays(365), clock);
        PemFiles.write(List.of(Output.certificates(dir.resolve("root.crt"), root.chain())), false);
        TrustAnchors anchors = new TrustAnchors(root.chain(), "root.crt");
        say("%s, ECDSA P-256, written to %s", root.certificate().getSubjectX500Principal().getName(), dir.resolve("root.crt"));

        step("2. Each cluster's identity issuer signs its gateway's certificate");
        DemoCluster east = start(new DemoCluster("east", dir, root, anchors));
        DemoCluster west = start(new DemoCluster("west", dir, root, anchors));
        for (DemoCluster cluster : List.of(east, west)) {
            CertifiedKey key = cluster.certificates.current();
            say("%s: issuer at https://127.0.0.1:%d signed %s", cluster.name, cluster.issuerPort, DemoCluster.GATEWAY);
            say("      certificate from %s, valid until %s, renewed at 70%% of its life",
                    key.chain().get(1).getSubjectX500Principal().getName(), key.notAfter());
        }

        step("3. East runs podinfo and exports it through its gateway");
        PodinfoBackend podinfo = new PodinfoBackend(group, "podinfo-east-5d8c7", "greetings from east");
        running.push(podinfo);
        east.gateway.routes(new RouteTable(DemoCluster.TRUST_DOMAIN, List.of(new ExportedService(PODINFO, PODINFO_PORT,
                BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", podinfo.port(), true))))));
        east.gateway.start();
        say("east gateway: mTLS on 127.0.0.1:%d, admin on 127.0.0.1:%d (/ready, /metrics)", east.gateway.inboundPort(),
                east.gateway.adminPort());
        say("exported: %s:%d -> podinfo on 127.0.0.1:%d", PODINFO, PODINFO_PORT, podinfo.port());

        step("4. West calls podinfo in east, through east's gateway");
        SslContext westTls = TlsContexts.client(west.certificates.current(), anchors, DemoCluster.GATEWAY,
                TlsProviders.preferred(), clock);
        String sni = DemoCluster.GATEWAY.dnsName();
        for (int i = 1; i <= 3; i++) {
            report("GET http://" + PODINFO + ":" + PODINFO_PORT + "/",
                    DemoClient.get(group, westTls, sni, east.gateway.inboundPort(), PODINFO, PODINFO_PORT, "/"));
        }

        step("5. What east's gateway refuses");
        SslContext noCertificate = SslContextBuilder.forClient().protocols("TLSv1.3").endpointIdentificationAlgorithm(null)
                .trustManager(IdentityTrustManager.exactly(anchors, DemoCluster.GATEWAY, clock)).build();
        report("a client without a certificate",
                DemoClient.get(group, noCertificate, sni, east.gateway.inboundPort(), PODINFO, PODINFO_PORT, "/"));
        CertificateAuthority strangerRoot = CertificateAuthority.createRoot(DemoCluster.TRUST_DOMAIN, Duration.ofDays(1), clock);
        CertifiedKey stranger = leafUnder(strangerRoot, clock);
        report("a client whose certificate chains to another anchor", DemoClient.get(group,
                TlsContexts.client(stranger, anchors, DemoCluster.GATEWAY, TlsProviders.preferred(), clock), sni,
                east.gateway.inboundPort(), PODINFO, PODINFO_PORT, "/"));
        report("west asking for a service east did not export", DemoClient.get(group, westTls, sni,
                east.gateway.inboundPort(), "secrets.test.svc.cluster.local", 80, "/"));

        step("6. Statistics from east's gateway (/metrics)");
        stats(east);
        say("");
        say("Still to come in this demo: west's own gateway for unmodified clients (podinfo-east), the");
        say("service mirror, a 50/50 traffic split and failover (issues 4-6).");
    }

    private CertifiedKey leafUnder(CertificateAuthority root, Clock clock) {
        CertificateAuthority issuer = root.createIssuer(DemoCluster.TRUST_DOMAIN, Duration.ofDays(1), clock);
        var keys = dev.isthmus.identity.ca.Keys.generateP256();
        var leaf = new dev.isthmus.identity.ca.LeafIssuer(issuer, clock)
                .issue(keys.getPublic(), SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"));
        return new CertifiedKey(keys.getPrivate(), leaf.chain());
    }

    private void stats(DemoCluster cluster) {
        say("%-36s %-8s %-62s %s", "TARGET", "STATUS", "PEER", "REQUESTS");
        for (Counter counter : cluster.registry.find("isthmus.gateway.requests").counters()) {
            say("%-36s %-8s %-62s %.0f", counter.getId().getTag("target"), counter.getId().getTag("status_class"),
                    counter.getId().getTag("peer"), counter.count());
        }
        say("");
        say("%-36s %s", "REFUSED", "COUNT");
        for (String name : List.of("isthmus.gateway.handshake.failures", "isthmus.gateway.sessions.rejected")) {
            for (Counter counter : cluster.registry.find(name).counters()) {
                if (counter.count() > 0) {
                    say("%-36s %.0f", counter.getId().getTag("reason"), counter.count());
                }
            }
        }
    }

    private void report(String what, DemoClient.Result result) {
        if (result.failure() != null) {
            say("%s -> refused: %s", what, result.failure());
        } else {
            say("%s -> %d %s", what, result.status(), result.body());
        }
    }

    private DemoCluster start(DemoCluster cluster) {
        running.push(cluster);
        return cluster;
    }

    private void step(String title) {
        out.println();
        out.println("==> " + title);
        out.flush();
    }

    private void say(String format, Object... args) {
        out.println("    " + String.format(format, args));
        out.flush();
    }

    private synchronized void stopAll(Path dir) {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                System.err.println("demo: while stopping: " + e);
            }
        }
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("demo: could not remove " + dir + ": " + e);
            }
        }
    }
}
