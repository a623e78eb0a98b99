package dev.isthmus.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.TlsProviders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's dashboard page in a real browser (Debian's Chromium, driven by Playwright from
 * {@code src/test/browser}) during the demo's traffic: a screenshot is saved under the build directory, and
 * what the page shows (links, splits and their requests, services, refusals, tap lines) is compared with
 * what the gateways' metrics say once the traffic has stopped.
 */
class DashboardBrowserIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path BUILD = buildDirectory();
    static final Path BROWSER = BUILD.resolve("browser");

    static final List<AutoCloseable> running = new ArrayList<>();
    static DemoCluster east;
    static DemoCluster west;
    static int mirrorPort;
    static int splitPort;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        assertThat(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))
                .as("Debian's Chromium (apt-get install chromium; .ci/run installs it)").isExecutable();
        installPlaywright();

        Path dir = Files.createTempDirectory("isthmus-dashboard-");
        running.add(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        });
        Clock clock = Clock.systemUTC();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        running.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        TestPki pki = TestPki.create(DemoCluster.TRUST_DOMAIN, clock);
        CertificateAuthority root = pki.root();
        TrustAnchors anchors = pki.anchors();
        east = started(new DemoCluster("east", DemoCluster.GATEWAY, dir, root, anchors));
        west = started(new DemoCluster("west", DemoCluster.GATEWAY, dir, root, anchors));
        PodinfoBackend podinfoEast = started(new PodinfoBackend(group, "podinfo-east-5d8c7", "greetings from east"));
        PodinfoBackend podinfoWest = started(new PodinfoBackend(group, "podinfo-west-7c9f4", "greetings from west"));
        int eastPort = east.startGateway(0, new RouteTable(DemoCluster.TRUST_DOMAIN, List.of(new ExportedService(
                DemoCommand.PODINFO, DemoCommand.PODINFO_PORT, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", podinfoEast.port(), true)))))).inboundPort();
        RemoteTarget podinfoInEast = new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", eastPort, true)),
                DemoCluster.GATEWAY, DemoCommand.PODINFO, DemoCommand.PODINFO_PORT);
        mirrorPort = freePort();
        splitPort = freePort();
        west.startGateway(0, new RouteTable(DemoCluster.TRUST_DOMAIN, List.of(), List.of(
                OutboundRoute.mirror(mirrorPort, "podinfo-east", podinfoInEast),
                new OutboundRoute(splitPort, "podinfo", List.of(
                        new WeightedBackend(new ExportedService(DemoCommand.PODINFO, DemoCommand.PODINFO_PORT, BackendProtocol.HTTP1,
                                List.of(new Endpoint("127.0.0.1", podinfoWest.port(), true))), 50),
                        new WeightedBackend(podinfoInEast, 50))))));
        Awaitility.await("west's probe finds east alive").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> west.gateway.probes().alive("east"));
        // What east refuses, as in the demo: a client without a certificate, and a service east did not export.
        DemoClient.get(group, DemoClient.withoutCertificate(anchors, clock), eastPort,
                DemoCommand.PODINFO, DemoCommand.PODINFO_PORT, "/");
        DemoClient.get(group, TlsContexts.client(west.certificates.current(), anchors, DemoCluster.GATEWAY, TlsProviders.preferred(),
                clock), eastPort, "secrets.test.svc.cluster.local", 80, "/");
    }

    @AfterAll
    static void stop() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
        }
    }

    @Test
    void westsPageShowsItsLinkSplitsAndServicesAsItsMetricsDo() throws Exception {
        Map<String, JsonNode> shown = browse(west, "dashboard-west.png");
        JsonNode traffic = shown.get("traffic").path("shown");
        assertThat(traffic.path("tap").size()).isGreaterThanOrEqualTo(3);
        for (JsonNode row : traffic.path("tap")) {
            assertThat(row.path("tls").asBoolean()).as("tls=true exactly when the request went to east: %s", row)
                    .isEqualTo(row.path("backend").asText().equals("east"));
        }
        JsonNode quiet = shown.get("quiet").path("shown");
        assertThat(quiet.path("error").asText()).isEmpty();
        assertThat(quiet.path("links")).hasSize(1);
        assertThat(quiet.path("links").get(0).path("link").asText()).isEqualTo("east");
        assertThat(quiet.path("links").get(0).path("alive").asBoolean()).isEqualTo(west.gateway.probes().alive("east")).isTrue();

        Map<String, Double> byRouteAndBackend = new HashMap<>();
        for (Counter counter : west.registry.find("isthmus.gateway.outbound.requests").counters()) {
            byRouteAndBackend.merge(counter.getId().getTag("route") + " " + counter.getId().getTag("backend"), counter.count(), Double::sum);
        }
        assertThat(quiet.path("splits")).hasSize(3);
        for (JsonNode split : quiet.path("splits")) {
            String key = split.path("route").asText() + " " + split.path("backend").asText();
            assertThat(split.path("requests").asDouble()).as(key).isEqualTo(byRouteAndBackend.getOrDefault(key, 0.0));
            if (split.path("route").asText().equals("podinfo")) {
                assertThat(split.path("cells").get(2).asText()).as("the split's weight share").isEqualTo("50 (50.0%)");
                assertThat(split.path("requests").asDouble()).as("both halves of the split took traffic").isPositive();
            }
        }
        for (JsonNode service : quiet.path("services")) {
            assertThat(service.path("direction").asText()).isEqualTo("outbound");
            assertThat(service.path("requests").asDouble()).as(service.toString())
                    .isEqualTo(sum(west.registry, "isthmus.gateway.outbound.requests", "route", service.path("service").asText()));
        }
        assertThat(quiet.path("services").findValuesAsText("service")).containsExactlyInAnyOrder("podinfo", "podinfo-east");
        assertThat(quiet.path("refusals").size()).as("west refused nothing").isZero();
        assertThat(shown.get("quiet").path("problems")).as("errors in the page").isEmpty();
    }

    @Test
    void eastsPageShowsWhatItExportsAndRefusedAsItsMetricsDo() throws Exception {
        Map<String, JsonNode> shown = browse(east, "dashboard-east.png");
        for (JsonNode row : shown.get("traffic").path("shown").path("tap")) {
            assertThat(row.path("tls").asBoolean()).as("every request east received came over mTLS").isTrue();
        }
        JsonNode quiet = shown.get("quiet").path("shown");
        Map<String, Double> refusals = new HashMap<>();
        for (String name : List.of("isthmus.gateway.handshake.failures", "isthmus.gateway.sessions.rejected")) {
            for (Counter counter : east.registry.find(name).counters()) {
                if (counter.count() > 0) {
                    refusals.merge(counter.getId().getTag("reason"), counter.count(), Double::sum);
                }
            }
        }
        assertThat(refusals).containsKeys("not_exported", "no_client_certificate");
        Map<String, Double> onPage = new HashMap<>();
        quiet.path("refusals").fields().forEachRemaining(e -> onPage.put(e.getKey(), e.getValue().asDouble()));
        assertThat(onPage).isEqualTo(refusals);
        assertThat(JSON.convertValue(quiet.path("exported"), List.class)).containsExactly(DemoCommand.PODINFO + ":" + DemoCommand.PODINFO_PORT);
        JsonNode podinfo = quiet.path("services").get(0);
        assertThat(podinfo.path("direction").asText()).isEqualTo("inbound");
        assertThat(podinfo.path("requests").asDouble()).isEqualTo(sum(east.registry, "isthmus.gateway.requests", "target",
                DemoCommand.PODINFO + ":" + DemoCommand.PODINFO_PORT));
        assertThat(quiet.path("links").size()).as("east links to nothing").isZero();
        assertThat(shown.get("quiet").path("problems")).as("errors in the page").isEmpty();
    }

    /** Opens the cluster's dashboard while west's client sends traffic, then again after it stopped. */
    static Map<String, JsonNode> browse(DemoCluster cluster, String screenshot) throws Exception {
        Path png = BUILD.resolve(screenshot);
        Files.deleteIfExists(png);
        Process node = new ProcessBuilder("node", BROWSER.resolve("dashboard.mjs").toString(),
                "http://127.0.0.1:" + cluster.gateway.adminPort() + "/dashboard", png.toString())
                .directory(BROWSER.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        AtomicBoolean stop = new AtomicBoolean();
        Thread traffic = new Thread(() -> {
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int i = 0; !stop.get() && System.nanoTime() < until; i++) {
                get(i % 2 == 0 ? splitPort : mirrorPort);
            }
        }, "dashboard-traffic");
        traffic.start();
        Map<String, JsonNode> phases = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), UTF_8));
                Writer in = new java.io.OutputStreamWriter(node.getOutputStream(), UTF_8)) {
            JsonNode first = JSON.readTree(out.readLine());
            phases.put(first.path("phase").asText(), first);
            stop.set(true);
            traffic.join(15_000);
            in.write("quiet\n");
            in.flush();
            JsonNode second = JSON.readTree(out.readLine());
            phases.put(second.path("phase").asText(), second);
        } finally {
            stop.set(true);
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        assertThat(node.exitValue()).as("the browser driver's exit code").isZero();
        assertThat(png).as("the screenshot taken during the traffic").isNotEmptyFile();
        assertThat(phases).containsKeys("traffic", "quiet");
        return phases;
    }

    static double sum(PrometheusMeterRegistry registry, String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
    }

    static void get(int port) {
        try {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
            Thread.sleep(20); // paces the traffic so it spreads over the dashboard's samples
        } catch (IOException e) {
            // counted by the gateway like any other; the comparison is with its metrics
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Playwright's driver from the npm registry, by the committed lock file, into the build directory (no browser download). */
    static void installPlaywright() throws Exception {
        Files.createDirectories(BROWSER);
        Path source = Path.of("src/test/browser");
        for (String file : List.of("package.json", "package-lock.json", "dashboard.mjs")) {
            Files.copy(source.resolve(file), BROWSER.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(BROWSER.resolve("node_modules/playwright-core"))) {
            return;
        }
        // Never the test JVM's own stdin and stdout: they are the failsafe fork's command and event channels. node
        // makes an inherited stdin non-blocking, the fork's command reader then dies on EAGAIN, and at its exit
        // the fork waits for an acknowledgement that never comes and is killed ("error in the forked process").
        Path log = BROWSER.resolve("npm-ci.log");
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).as("npm ci within 5 minutes").isTrue();
        assertThat(npm.exitValue()).as("npm ci in %s:%n%s", BROWSER, Files.readString(log)).isZero();
    }

    static Path buildDirectory() {
        try {
            return Path.of(DashboardBrowserIT.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T extends AutoCloseable> T started(T part) {
        running.add(part);
        return part;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
