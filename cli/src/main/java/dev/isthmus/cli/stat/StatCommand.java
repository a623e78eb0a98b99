package dev.isthmus.cli.stat;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.GatewayPods;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.cli.tap.TapCommand;
import dev.isthmus.cli.tap.TapSession;
import dev.isthmus.cli.tap.TapSource;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus stat}: per service, what the gateways did over a window, from two scrapes of their
 * {@code /metrics}; see {@link GatewayStats} for which meters and {@link ServiceStats} for each column's meaning.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = {"Show per-service success rate, requests per second, latency and mTLS share, from the gateways' metrics.",
            "",
            "TLS is the share of a service's requests that crossed between gateways over mTLS: every request a gateway"
                + " received on its mTLS port, and every request of a local client that a gateway forwarded to a linked"
                + " cluster; requests a split sent to a local backend went in plain text inside the cluster."})
public final class StatCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = "svc", paramLabel = "<resource>",
            description = "svc (the default): per service; trafficsplit (ts): each route's backends and their share, as"
                    + " viz stat trafficsplit shows; links: per remote cluster.")
    String resource;

    @Option(names = "--gateway-admin", paramLabel = "<url>",
            description = "A gateway's admin address, e.g. http://127.0.0.1:4191 (repeatable). Without it, the gateway pods"
                    + " in " + Names.MULTICLUSTER_NAMESPACE + " are scraped through the API server.")
    List<String> gatewayAdmins = new ArrayList<>();

    @Option(names = "--from", paramLabel = "<client>",
            description = "Only requests from this client: its address (10.42.0.17) as the gateway saw it on an outbound"
                    + " listener, or a peer gateway's identity (spiffe://…). The metrics do not record clients, so these"
                    + " figures come from the gateways' tap over the window (a sample when the gateways drop events).")
    String from;

    @Option(names = "--window", defaultValue = "10s", paramLabel = "<duration>",
            description = "Time between the two scrapes the rates come from (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Mixin GatewayPods gatewayPods;

    @Override
    public Integer call() throws InterruptedException {
        resource = switch (resource) {
            case "svc", "service", "services" -> "svc";
            case "trafficsplit", "trafficsplits", "ts" -> "trafficsplit";
            case "links", "link" -> "links";
            default -> throw new UserException("stat " + resource + ": unknown resource (expected: svc, trafficsplit or links)");
        };
        if (window.isZero() || window.isNegative()) {
            String given = spec.commandLine().getParseResult().matchedOption("--window").stringValues().get(0);
            throw new UserException("--window " + given + ": the rates need time between two scrapes (expected: a positive duration, e.g. 10s)");
        }
        PrintWriter err = spec.commandLine().getErr();
        if (from != null) {
            if (!resource.equals("svc")) {
                throw new UserException("stat " + resource + " --from " + from + ": only per-service statistics can be per client"
                        + " (expected: stat svc --from <client>)");
            }
            return fromTap(err);
        }
        if (!gatewayAdmins.isEmpty()) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(MetricsSource.TIMEOUT).build();
            List<MetricsSource> sources = gatewayAdmins.stream().map(url -> MetricsSource.adminUrl(url, http)).toList();
            return run(sources, err);
        }
        KubeOptions kube = KubeOptions.of(spec);
        try (KubernetesClient client = kube.client()) {
            return run(gatewayPods.running(client, (namespace, pod, port) -> MetricsSource.podProxy(client, namespace, pod, port)), err);
        }
    }

    private int fromTap(PrintWriter err) throws InterruptedException {
        if (from.isBlank()) {
            throw new UserException("--from: empty (expected: a client address such as 10.42.0.17, or spiffe://…)");
        }
        KubeOptions kube = KubeOptions.of(spec);
        String query = (kube.namespaceGiven() ? "ns=" + java.net.URLEncoder.encode(kube.namespace(null), java.nio.charset.StandardCharsets.UTF_8)
                + "&" : "") + "limit=" + dev.isthmus.gateway.tap.TapFilter.MAX_LIMIT;
        if (!gatewayAdmins.isEmpty()) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(MetricsSource.TIMEOUT).build();
            return fromTap(gatewayAdmins.stream().map(url -> TapSource.adminUrl(url, http)).toList(), query, err);
        }
        try (KubernetesClient client = kube.client()) {
            return fromTap(TapCommand.gatewayPods(client, gatewayPods), query, err);
        }
    }

    private int fromTap(List<TapSource> sources, String query, PrintWriter err) throws InterruptedException {
        ClientStats client = new ClientStats(from);
        long start = System.nanoTime();
        try (TapSession session = TapSession.open(sources, query, TapCommand.problems(err))) {
            client.collect(session, window);
        }
        if (client.dropped() > 0) {
            err.println("‼ the gateways dropped " + client.dropped() + " tap events for this reader: the figures below are a sample");
            err.flush();
        }
        StatTable.print(client.stats(Duration.ofNanos(System.nanoTime() - start)), spec.commandLine().getOut());
        return 0;
    }

    private int run(List<MetricsSource> sources, PrintWriter err) throws InterruptedException {
        Map<String, List<Sample>> before = scrape(sources, err);
        long start = System.nanoTime();
        Thread.sleep(window.toMillis());
        Map<String, List<Sample>> after = scrape(sources, err);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String namespace = KubeOptions.of(spec).namespaceGiven() ? KubeOptions.of(spec).namespace(null) : null;
        if (!resource.equals("svc")) {
            List<BackendStats> leaves = GatewayStats.backends(before, after, elapsed);
            if (namespace != null) {
                leaves = leaves.stream().filter(l -> inNamespace(l.route(), namespace)).toList();
            }
            if (resource.equals("links")) {
                StatTable.printLinks(GatewayStats.links(leaves), spec.commandLine().getOut());
            } else {
                StatTable.printSplits(leaves, spec.commandLine().getOut());
            }
            return 0;
        }
        List<ServiceStats> stats = GatewayStats.between(before, after, elapsed);
        if (namespace != null) {
            stats = stats.stream().filter(s -> inNamespace(s.service(), namespace)).toList();
        }
        StatTable.print(stats, spec.commandLine().getOut());
        return 0;
    }

    /** {@code <svc>.<ns>.svc.<domain>[:port]}: the names of the gateways' inbound targets and Kubernetes routes. */
    static boolean inNamespace(String service, String namespace) {
        String[] parts = service.split("\\.");
        return parts.length > 2 && parts[1].equals(namespace) && parts[2].equals("svc");
    }

    /** Every source that answers; one that does not is named on stderr, and none answering is an error. */
    private static Map<String, List<Sample>> scrape(List<MetricsSource> sources, PrintWriter err) {
        Map<String, List<Sample>> scrapes = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (MetricsSource source : sources) {
            try {
                scrapes.put(source.name(), PrometheusText.parse(source.scrape(), source.name()));
            } catch (UserException | MetricsFormatException e) {
                failures.add(e.getMessage());
                err.println("‼ " + e.getMessage());
                err.flush();
            }
        }
        if (scrapes.isEmpty()) {
            throw new UserException(failures.size() == 1 ? failures.get(0)
                    : "no gateway could be scraped (" + String.join("; ", failures) + ")");
        }
        return scrapes;
    }
}
