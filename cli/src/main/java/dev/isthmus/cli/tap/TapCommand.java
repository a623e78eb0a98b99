package dev.isthmus.cli.tap;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.GatewayPods;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus tap}: the requests passing through the gateways, live, one line each, until
 * {@code --max-events} or {@code --duration}, whichever comes first. The gateways filter (see their
 * {@code GET /tap}); this command opens one stream per gateway and prints what arrives.
 */
@Command(name = "tap", mixinStandardHelpOptions = true,
        description = {"Watch requests through the gateways as they happen: source, destination, where they went, status, latency,"
                + " and whether the hop was mTLS (tls=true).",
            "",
            "The gateways send a sample when the traffic is more than a reader keeps up with; a line on stderr says how many"
                + " events were dropped."})
public final class TapCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--gateway-admin", paramLabel = "<url>",
            description = "A gateway's admin address, e.g. http://127.0.0.1:4191 (repeatable). Without it, the gateway pods"
                    + " in " + Names.MULTICLUSTER_NAMESPACE + " are tapped through the API server.")
    List<String> gatewayAdmins = new ArrayList<>();

    @Mixin GatewayPods gatewayPods;

    @Option(names = "--service", paramLabel = "<name>", description = "Only requests to this service (its short name, e.g. podinfo-east).")
    String service;

    @Option(names = "--link", paramLabel = "<cluster>", description = "Only requests a gateway sent over this link.")
    String link;

    @Option(names = "--method", paramLabel = "<method>", description = "Only requests with this HTTP method.")
    String method;

    @Option(names = "--path", paramLabel = "<prefix>", description = "Only requests whose path starts with this.")
    String path;

    @Option(names = "--status", paramLabel = "<class|code>", description = "Only responses of this class (5xx) or code (503).")
    String status;

    @Option(names = "--direction", paramLabel = "<inbound|outbound>",
            description = "Only requests from peer gateways (inbound) or from clients in this cluster (outbound).")
    String direction;

    @Option(names = {"-o", "--output"}, paramLabel = "<format>", description = "json: the events as JSON lines.")
    String output = "";

    @Option(names = "--max-events", defaultValue = "100", paramLabel = "<n>",
            description = "Stop after this many events (default: ${DEFAULT-VALUE}; at most 100000).")
    int maxEvents;

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "<duration>",
            description = "Stop after this long (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Override
    public Integer call() throws InterruptedException {
        if (!output.isEmpty() && !output.equals("json")) {
            throw new UserException("--output " + output + ": unknown format (expected: json, or leave it out for lines as viz tap prints)");
        }
        if (maxEvents < 1 || maxEvents > 100_000) {
            throw new UserException("--max-events " + maxEvents + ": out of range (expected: 1-100000)");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new UserException("--duration " + duration + ": the tap needs time to watch (expected: a positive duration, e.g. 30s)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KubeOptions kube = KubeOptions.of(spec);
        String query = query(kube.namespaceGiven() ? kube.namespace(null) : null);
        if (!gatewayAdmins.isEmpty()) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(TapSource.TIMEOUT).build();
            return watch(gatewayAdmins.stream().map(url -> TapSource.adminUrl(url, http)).toList(), query, out, err);
        }
        try (KubernetesClient client = kube.client()) {
            return watch(gatewayPods(client, gatewayPods), query, out, err);
        }
    }

    /** The query of {@code GET /tap}; the gateway checks each value and says what it expected. */
    String query(String namespace) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("ns", namespace);
        parameters.put("svc", service);
        parameters.put("link", link);
        parameters.put("method", method);
        parameters.put("path", path);
        parameters.put("status", status);
        parameters.put("direction", direction);
        parameters.put("limit", Integer.toString(maxEvents));
        return parameters.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private int watch(List<TapSource> sources, String query, PrintWriter out, PrintWriter err) throws InterruptedException {
        try (TapSession session = TapSession.open(sources, query, problems(err))) {
            print(session, maxEvents, duration, out, err, output.equals("json"));
        }
        return 0;
    }

    /** Reports a problem of a tap source on stderr, as one line. */
    public static java.util.function.Consumer<String> problems(PrintWriter err) {
        return problem -> {
            synchronized (err) {
                err.println("‼ " + problem);
                err.flush();
            }
        };
    }

    /** Prints up to {@code max} events within {@code duration}; drops go to {@code err}. Returns the events printed. */
    public static int print(TapSession session, int max, Duration duration, PrintWriter out, PrintWriter err, boolean json)
            throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        int printed = 0;
        while (printed < max) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TapLine line = session.next(Duration.ofNanos(left));
            if (line == null) {
                break;
            }
            if (!line.isEvent()) {
                synchronized (err) {
                    err.println("‼ " + line.gateway() + " dropped " + line.dropped()
                            + " events this reader did not keep up with (what follows is a sample)");
                    err.flush();
                }
                continue;
            }
            out.println(json ? line.json() : line.human());
            out.flush();
            printed++;
        }
        return printed;
    }

    /** The tap of every running gateway pod (as {@code gateways} selects them), through the API server's pod proxy. */
    public static List<TapSource> gatewayPods(KubernetesClient client, GatewayPods gateways) {
        return gateways.running(client, (namespace, pod, port) -> TapSource.podProxy(client, namespace, pod, port));
    }
}
