package dev.isthmus.cli.mirror;

import com.sun.net.httpserver.HttpServer;
import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.controller.KubeClients;
import dev.isthmus.mirror.controller.MirrorOptions;
import dev.isthmus.mirror.controller.RequestCounter;
import dev.isthmus.mirror.controller.ServiceMirror;
import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus mirror run --link east}: mirrors one Link's exported Services until SIGTERM, then
 * releases its Lease so a standby replica takes over at once. The cluster and namespace come from the
 * global {@code --kubeconfig}, {@code --context} and {@code -n} (in a pod: the in-cluster account).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the service mirror for one Link until terminated.")
public final class MirrorRunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--link", required = true, description = "The Link to mirror (its name, = the target cluster's).")
    String link;

    @Option(names = "--port-range", defaultValue = "14000-15999",
            description = "Local gateway ports for mirrored services (default: ${DEFAULT-VALUE}).")
    String portRange;

    @Option(names = "--repair-period", defaultValue = "1m",
            description = "How often every mirror is checked against the target (default: ${DEFAULT-VALUE}).")
    Duration repairPeriod;

    @Option(names = "--gateway-admin-url",
            description = "Where to read link health (GET /links), instead of the local gateway's endpoints.")
    URI gatewayAdminUrl;

    @Option(names = "--admin-port", defaultValue = "9999",
            description = "Port of /metrics, /ready and /live; 0 for none (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Override
    public Integer call() throws Exception {
        PortRange range;
        try {
            range = PortRange.parse(portRange);
        } catch (IllegalArgumentException e) {
            throw new UserException("--port-range: " + e.getMessage());
        }
        if (repairPeriod.isZero() || repairPeriod.isNegative()) {
            throw new UserException("--repair-period " + repairPeriod + " (expected: a positive duration, e.g. 1m)");
        }
        if (adminPort < 0 || adminPort > 65535) {
            throw new UserException("--admin-port " + adminPort + " (expected: 0-65535)");
        }
        KubeOptions kube = KubeOptions.of(spec);
        String namespace = kube.namespace(Names.MULTICLUSTER_NAMESPACE);
        // A controller outlives blips: retry requests as a long-running client should, unlike a one-shot command.
        Config config = new ConfigBuilder(kube.config())
                .withRequestRetryBackoffLimit(Config.DEFAULT_REQUEST_RETRY_BACKOFFLIMIT).build();
        RequestCounter requests = new RequestCounter();
        KubernetesClient local = KubeClients.build(config, requests);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MirrorOptions options = MirrorOptions.defaults(identity())
                .withPortRange(range).withRepairPeriod(repairPeriod).withGatewayAdminUrl(gatewayAdminUrl);
        ServiceMirror mirror = new ServiceMirror(local, requests, namespace, link, options, registry);
        HttpServer admin = adminPort == 0 ? null : admin(adminPort, registry, mirror);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mirror.close(); // releases the Lease
            if (admin != null) {
                admin.stop(0);
            }
            local.close();
            stopped.countDown();
        }, "isthmus-mirror-shutdown"));
        mirror.start();
        spec.commandLine().getOut().printf("mirror of link %s/%s as %s: campaigning for Lease %s%s%n", namespace, link,
                options.identity(), Names.mirrorController(link),
                admin == null ? "" : "; admin on :" + admin.getAddress().getPort());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** The pod name, as the contract says: the Lease's holder identity. */
    static String identity() {
        String hostname = System.getenv("HOSTNAME");
        if (hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "isthmus-mirror-" + ProcessHandle.current().pid();
        }
    }

    private static HttpServer admin(int port, PrometheusMeterRegistry registry, ServiceMirror mirror) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/metrics", exchange -> respond(exchange, 200, registry.scrape()));
        server.createContext("/live", exchange -> respond(exchange, 200, "live\n"));
        // A standby replica is ready too: it is doing its job, which is to wait.
        server.createContext("/ready", exchange -> respond(exchange, 200, mirror.leading() ? "leading\n" : "standby\n"));
        server.start();
        return server;
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
