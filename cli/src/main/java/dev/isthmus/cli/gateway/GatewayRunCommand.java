package dev.isthmus.cli.gateway;

import dev.isthmus.cli.UserException;
import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.GatewayWarmup;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.config.GatewayFile;
import dev.isthmus.gateway.routing.FileRouteSource;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tls.CredentialFiles;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertificateManager;
import dev.isthmus.identity.client.IssuerClient;
import dev.isthmus.mirror.desired.PortRange;
import dev.isthmus.mirror.routes.ClusterClients;
import dev.isthmus.mirror.routes.ExportSelector;
import dev.isthmus.mirror.routes.KubernetesRouteSource;
import dev.isthmus.mirror.split.SplitController;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus gateway run --config gateway.yaml}: runs one gateway until SIGTERM, then drains. The
 * schema of the file is {@link GatewayFile}'s; flags override its most common settings.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the gateway until terminated, then drain.")
public final class GatewayRunCommand implements Callable<Integer> {

    private static final Duration RELOAD = Duration.ofSeconds(5);

    @Spec CommandSpec spec;

    @Option(names = "--config", required = true, description = "The gateway's YAML configuration (see the README).")
    Path configFile;

    @Option(names = "--inbound-port", description = "Overrides inbound.port (the mTLS listener, default 4143).")
    Integer inboundPort;

    @Option(names = "--admin-port", description = "Overrides admin.port (/ready, /live, /metrics; default 4191).")
    Integer adminPort;

    @Option(names = "--routes", description = "Overrides routes.file (and routes.kubernetes): exported services, reloaded when it changes.")
    Path routesFile;

    @Option(names = "--warmup", defaultValue = "0s", description = "Before listening, run the data path hot through two "
            + "throwaway gateways on 127.0.0.1 until the JIT is quiet, for at most this long (the manifests: 30s; default "
            + "${DEFAULT-VALUE}: none). The admin port, and so /ready, answers after it.")
    Duration warmup;

    @Override
    public Integer call() throws Exception {
        GatewayWarmup.Settings warmupSettings;
        try {
            warmupSettings = GatewayWarmup.Settings.upTo(warmup);
        } catch (IllegalArgumentException e) {
            throw new UserException("--warmup " + warmup + ": " + e.getMessage());
        }
        GatewayFile file = load(configFile);
        GatewayConfig config = file.config();
        if (inboundPort != null || adminPort != null) {
            config = config.withPorts(inboundPort != null ? inboundPort : config.inboundPort(),
                    adminPort != null ? adminPort : config.adminPort());
        }
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gateway gateway = new Gateway(config, registry, clock);
        Deque<AutoCloseable> parts = new ArrayDeque<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close(); // drains within timeouts.drain
            parts.forEach(GatewayRunCommand::closeQuietly);
            stopped.countDown();
        }, "isthmus-gateway-shutdown"));

        if (file.certificate() != null) {
            parts.push(new CredentialFiles(file.certificate(), file.key(), file.trustAnchors(), RELOAD,
                    (key, anchors) -> gateway.tls().update(key, anchors)).start());
        } else {
            TrustAnchors anchors = TrustAnchors.load(file.trustAnchors());
            IssuerClient issuer = new IssuerClient(file.issuer().address(), file.issuer().identity(), anchors,
                    () -> read(file.issuer().tokenFile()), clock);
            CertificateManager manager = new CertificateManager(config.identity(), issuer, CertificateManager.Backoff.DEFAULT,
                    clock, registry).start();
            parts.push(manager);
            manager.addListener(key -> gateway.tls().update(key, anchors));
        }
        Path routes = routesFile != null ? routesFile : file.routes();
        if (routes == null && file.kubernetesRoutes() != null) {
            startKubernetesRoutes(file.kubernetesRoutes(), gateway, registry, clock, parts);
        } else if (routes != null) {
            FileRouteSource source = new FileRouteSource(routes, RELOAD);
            parts.push(source);
            source.start(gateway::routes);
        } else {
            gateway.routes(RouteTable.EMPTY);
        }
        // While the credentials and routes arrive: the real listeners open only after the warm-up's are closed.
        GatewayWarmup.run(config.ioThreads(), warmupSettings, clock);
        awaitCredentials(gateway);
        gateway.start();
        spec.commandLine().getOut().printf("gateway %s: mTLS on %s:%d, admin on %s:%d%n", config.identity(),
                config.inboundHost(), gateway.inboundPort(), config.adminHost(), gateway.adminPort());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /**
     * Routes from the gateway's own cluster, and beside them the split controller that gives TrafficSplits their
     * apex Services (one writer among the replicas, by Lease). Closed in reverse: controller, source, client.
     */
    private void startKubernetesRoutes(GatewayFile.KubernetesRoutes settings, Gateway gateway, PrometheusMeterRegistry registry,
            Clock clock, Deque<AutoCloseable> parts) {
        ExportSelector selector;
        KubernetesClient client;
        try {
            selector = ExportSelector.parse(settings.exportSelector());
            client = ClusterClients.connect(settings.kubeconfig(), settings.context());
        } catch (IllegalArgumentException e) {
            throw new UserException(configFile + ": routes.kubernetes." + e.getMessage());
        }
        parts.push(client);
        KubernetesRouteSource source = new KubernetesRouteSource(client, settings.clusterDomain(), selector, registry,
                KubernetesRouteSource.DEBOUNCE);
        parts.push(source);
        source.start(gateway::routes);
        parts.push(new SplitController(client, podName(), PortRange.DEFAULT, clock).start());
    }

    /** The Lease holder's name: the pod's, as Kubernetes sets {@code HOSTNAME}. */
    private static String podName() {
        String hostname = System.getenv("HOSTNAME");
        if (hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "isthmus-gateway-" + ProcessHandle.current().pid();
        }
    }

    /** Starting without a certificate would refuse every peer; wait (bounded) for the first one instead. */
    private static void awaitCredentials(Gateway gateway) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!gateway.tls().ready() && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        if (!gateway.tls().ready()) {
            throw new UserException("no usable TLS certificate after 60 s; see the warnings above for why");
        }
    }

    private static GatewayFile load(Path file) {
        try {
            Path base = file.toAbsolutePath().getParent();
            return GatewayFile.parse(Files.readString(file), file.toString(), base);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file (expected the gateway's YAML configuration)");
        } catch (IOException e) {
            throw new UserException(file + ": cannot be read: " + e.getMessage());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(AutoCloseable part) {
        try {
            part.close();
        } catch (Exception e) {
            System.err.println("while stopping: " + e);
        }
    }
}
