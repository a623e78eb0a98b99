package dev.isthmus.cli.demo;

import dev.isthmus.cli.stat.BackendStats;
import dev.isthmus.cli.stat.GatewayStats;
import dev.isthmus.cli.stat.PrometheusText;
import dev.isthmus.cli.stat.ServiceStats;
import dev.isthmus.cli.stat.StatTable;
import dev.isthmus.cli.tap.TapCommand;
import dev.isthmus.cli.tap.TapSession;
import dev.isthmus.cli.tap.TapSource;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.identity.tls.PeerIdentities;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
        long started = System.nanoTime();
        Clock clock = Clock.systemUTC();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        running.push(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());

        step("1. A trust anchor shared by both clusters (isthmus certs root)");
        CertificateAuthority root = CertificateAuthority.createRoot(DemoCluster.TRUST_DOMAIN, Duration.ofDays(365), clock);
        PemFiles.write(List.of(Output.certificates(dir.resolve("root.crt"), root.chain())), false);
        TrustAnchors anchors = new TrustAnchors(root.chain(), "root.crt");
        say("%s, ECDSA P-256, written to %s", root.certificate().getSubjectX500Principal().getName(), dir.resolve("root.crt"));

        step("2. Each cluster's identity issuer signs its gateway's certificate");
        DemoCluster east = start(new DemoCluster("east", DemoCluster.GATEWAY, dir, root, anchors));
        DemoCluster west = start(new DemoCluster("west", DemoCluster.GATEWAY, dir, root, anchors));
        for (DemoCluster cluster : List.of(east, west)) {
            CertifiedKey key = cluster.certificates.current();
            say("%s: issuer at https://127.0.0.1:%d signed %s", cluster.name, cluster.issuerPort,
                    PeerIdentities.of(key.leaf()));
            say("      the same identity in both clusters; this gateway installation's id, its Forwarded by=, is %s",
                    cluster.id);
            say("      certificate from %s, valid until %s, renewed at 70%% of its life",
                    key.chain().get(1).getSubjectX500Principal().getName(), key.notAfter());
        }

        step("3. East runs podinfo and exports it through its gateway");
        PodinfoBackend podinfoEast = new PodinfoBackend(group, "podinfo-east-5d8c7", "greetings from east");
        running.push(podinfoEast);
        RouteTable eastRoutes = new RouteTable(DemoCluster.TRUST_DOMAIN, List.of(new ExportedService(PODINFO, PODINFO_PORT,
                BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", podinfoEast.port(), true)))));
        int eastPort = east.startGateway(0, eastRoutes).inboundPort();
        say("east gateway: mTLS on 127.0.0.1:%d (the LoadBalancer's target), admin on 127.0.0.1:%d", eastPort,
                east.gateway.adminPort());
        say("exported: %s:%d -> podinfo on 127.0.0.1:%d", PODINFO, PODINFO_PORT, podinfoEast.port());

        step("4. West links to east: an unmodified client in west calls podinfo-east");
        PodinfoBackend podinfoWest = new PodinfoBackend(group, "podinfo-west-7c9f4", "greetings from west");
        running.push(podinfoWest);
        RemoteTarget podinfoInEast = new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", eastPort, true)),
                DemoCluster.GATEWAY, PODINFO, PODINFO_PORT);
        ExportedService podinfoInWest = new ExportedService(PODINFO, PODINFO_PORT, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", podinfoWest.port(), true)));
        int mirrorPort = freePort();
        int splitPort = freePort();
        west.startGateway(0, new RouteTable(DemoCluster.TRUST_DOMAIN, List.of(), List.of(
                OutboundRoute.mirror(mirrorPort, "podinfo-east", podinfoInEast),
                new OutboundRoute(splitPort, "podinfo", List.of(new WeightedBackend(podinfoInWest, 50),
                        new WeightedBackend(podinfoInEast, 50))))));
        say("west gateway listens for podinfo-east on 127.0.0.1:%d (what podinfo-east's endpoints point at)", mirrorPort);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 1; i <= 2; i++) {
            report("curl http://podinfo-east:" + PODINFO_PORT + "/ (plain HTTP in west)", get(plain, mirrorPort));
        }
        say("(Forwarded: west's gateway added the first element, by=%s; east's gateway the second, by=%s,", west.id, east.id);
        say(" with west's identity as for=: the ids tell the gateways apart, so neither took the other's for a loop)");

        step("5. What east's gateway refuses");
        report("a client without a certificate", DemoClient.get(group, DemoClient.withoutCertificate(anchors, clock), eastPort,
                PODINFO, PODINFO_PORT, "/"));
        CertificateAuthority strangerRoot = CertificateAuthority.createRoot(DemoCluster.TRUST_DOMAIN, Duration.ofDays(1), clock);
        report("a client whose certificate chains to another anchor", DemoClient.get(group,
                TlsContexts.client(leafUnder(strangerRoot, clock), anchors, DemoCluster.GATEWAY, TlsProviders.preferred(),
                        clock), eastPort, PODINFO, PODINFO_PORT, "/"));
        SslContext westTls = TlsContexts.client(west.certificates.current(), anchors, DemoCluster.GATEWAY,
                TlsProviders.preferred(), clock);
        report("west asking for a service east did not export",
                DemoClient.get(group, westTls, eastPort, "secrets.test.svc.cluster.local", 80, "/"));

        step("6. A 50/50 traffic split between podinfo in west and podinfo in east");
        say("100 requests to podinfo (127.0.0.1:%d): %s", splitPort, tally(plain, splitPort, 100));

        step("7. Failover: east's gateway goes away, then comes back");
        east.stopGateway();
        awaitLink(west, false);
        say("east's gateway stopped; west's probe marked link east dead (%s)", linkSummary(west));
        say("100 requests to podinfo: %s", tally(plain, splitPort, 100));
        east.startGateway(eastPort, eastRoutes);
        awaitLink(west, true);
        say("east's gateway back on 127.0.0.1:%d; link east alive again (%s)", eastPort, linkSummary(west));
        say("100 requests to podinfo: %s", tally(plain, splitPort, 100));

        step("8. Tap (isthmus tap --gateway-admin <admin URL>): requests as they pass, and whether their hop was mTLS");
        tap(plain, west, east, mirrorPort);

        step("9. Statistics (isthmus stat --gateway-admin <admin URL>, here over the whole walkthrough)");
        Duration uptime = Duration.ofNanos(System.nanoTime() - started);
        say("east's gateway: requests it received over mTLS");
        stats(east, uptime);
        say("");
        say("west's gateway: requests of west's clients, to east (mTLS) or a local podinfo (plain)");
        stats(west, uptime);
        say("");
        say("west's gateway, per backend of each route (isthmus stat trafficsplit) and per link (isthmus stat links)");
        backends(west, uptime);
        say("");
        refusals(east);
        say("");
        say("In Kubernetes the same routes come from the API: `isthmus multicluster link` connects the");
        say("clusters, the mirror writes podinfo-east, and `isthmus stat` reads the gateways (see the README).");
    }

    /** Taps both gateways, sends three requests to podinfo-east, and prints what each gateway saw of them. */
    private void tap(HttpClient http, DemoCluster west, DemoCluster east, int mirrorPort) throws InterruptedException {
        int requests = 3;
        try (TapSession westTap = TapSession.open(List.of(TapSource.adminUrl("http://127.0.0.1:" + west.gateway.adminPort(), http)),
                        "link=east&limit=" + requests, problem -> say("‼ %s", problem));
                TapSession eastTap = TapSession.open(List.of(TapSource.adminUrl("http://127.0.0.1:" + east.gateway.adminPort(), http)),
                        "direction=inbound&svc=podinfo&limit=" + requests, problem -> say("‼ %s", problem))) {
            for (int i = 0; i < requests; i++) {
                get(http, mirrorPort);
            }
            say("west's gateway (isthmus tap --link east): west's client, forwarded to east");
            printTap(westTap, requests);
            say("east's gateway (isthmus tap --direction inbound --service podinfo): the same requests arriving from west");
            printTap(eastTap, requests);
        }
    }

    private void printTap(TapSession session, int events) throws InterruptedException {
        StringWriter lines = new StringWriter();
        PrintWriter writer = new PrintWriter(lines);
        TapCommand.print(session, events, Duration.ofSeconds(10), writer, writer, false);
        writer.flush();
        lines.toString().lines().forEach(line -> say("  %s", line));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static DemoClient.Result get(HttpClient http, int port) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return new DemoClient.Result(response.statusCode(), response.body().strip(), null);
        } catch (IOException e) {
            return DemoClient.Result.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DemoClient.Result.failed(e);
        }
    }

    /** Sends {@code count} requests and counts the answers by which podinfo gave them. */
    private static String tally(HttpClient http, int port, int count) {
        Map<String, Integer> byAnswer = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            DemoClient.Result result = get(http, port);
            String key = result.failure() != null ? "failed" : result.status() != 200 ? "status " + result.status()
                    : result.body().contains("greetings from east") ? "east" : "west";
            byAnswer.merge(key, 1, Integer::sum);
        }
        return byAnswer.toString();
    }

    private static void awaitLink(DemoCluster west, boolean alive) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (west.gateway.probes().alive("east") != alive && System.nanoTime() < until) {
            Thread.sleep(20);
        }
    }

    private static String linkSummary(DemoCluster west) {
        return west.gateway.probes().status("east").map(s -> s.alive() ? "alive" : "dead: " + s.lastError()).orElse("unknown");
    }

    private CertifiedKey leafUnder(CertificateAuthority root, Clock clock) {
        CertificateAuthority issuer = root.createIssuer(DemoCluster.TRUST_DOMAIN, Duration.ofDays(1), clock);
        var keys = dev.isthmus.identity.ca.Keys.generateP256();
        var leaf = new dev.isthmus.identity.ca.LeafIssuer(issuer, clock)
                .issue(keys.getPublic(), DemoCluster.GATEWAY);
        return new CertifiedKey(keys.getPrivate(), leaf.chain());
    }

    /** The table of {@code isthmus stat}, from the same text its {@code /metrics} serves. */
    private void stats(DemoCluster cluster, Duration uptime) {
        List<ServiceStats> services = GatewayStats.since(
                Map.of(cluster.name, PrometheusText.parse(cluster.registry.scrape(), cluster.name)), uptime);
        StringWriter table = new StringWriter();
        StatTable.print(services, new PrintWriter(table));
        table.toString().lines().forEach(line -> say("%s", line));
    }

    private void backends(DemoCluster cluster, Duration uptime) {
        List<BackendStats> leaves = GatewayStats.backends(Map.of(),
                Map.of(cluster.name, PrometheusText.parse(cluster.registry.scrape(), cluster.name)), uptime);
        StringWriter tables = new StringWriter();
        StatTable.printSplits(leaves, new PrintWriter(tables));
        tables.write("\n");
        StatTable.printLinks(GatewayStats.links(leaves), new PrintWriter(tables));
        tables.toString().lines().forEach(line -> say("%s", line));
    }

    private void refusals(DemoCluster cluster) {
        say("%-36s %s", "REFUSED BY EAST", "COUNT");
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
