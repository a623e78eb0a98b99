package dev.isthmus.cli.stat;

import static dev.isthmus.cli.CliRun.isthmus;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.isthmus.cli.CliRun;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isthmus stat --gateway-admin}: two scrapes of a fake admin port, and every way a source can be wrong. */
class StatCommandTest {

    @TempDir Path dir;

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Serves {@code /metrics} with the body for the n-th scrape (0, 1, …). */
    private String serve(int status, IntFunction<String> body) throws IOException {
        AtomicInteger scrapes = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] bytes = body.apply(scrapes.getAndIncrement()).getBytes(UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String metrics(int ok, int failed) {
        return """
                # TYPE isthmus_gateway_requests_total counter
                isthmus_gateway_requests_total{peer="spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway",status_class="2xx",target="podinfo.test.svc.cluster.local:9898"} %d.0
                isthmus_gateway_requests_total{peer="spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway",status_class="5xx",target="podinfo.test.svc.cluster.local:9898"} %d.0
                isthmus_gateway_request_duration_seconds_bucket{target="podinfo.test.svc.cluster.local:9898",le="0.001"} 0.0
                isthmus_gateway_request_duration_seconds_bucket{target="podinfo.test.svc.cluster.local:9898",le="0.01"} %d.0
                isthmus_gateway_request_duration_seconds_bucket{target="podinfo.test.svc.cluster.local:9898",le="+Inf"} %d.0
                isthmus_gateway_outbound_requests_total{backend="east",route="podinfo-east.test.svc.cluster.local:9898",status_class="2xx"} %d.0
                """.formatted(ok, failed, ok + failed, ok + failed, ok);
    }

    @Test
    void printsTheTableFromTwoScrapes() throws IOException {
        String admin = serve(200, n -> n == 0 ? metrics(10, 0) : metrics(100, 10));

        CliRun run = isthmus("stat", "--gateway-admin", admin, "--window", "200ms");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern("SERVICE\\s+SUCCESS\\s+RPS\\s+LATENCY_P50\\s+LATENCY_P95\\s+LATENCY_P99\\s+TLS\n")
                .containsPattern("podinfo\\.test\\.svc\\.cluster\\.local:9898\\s+90\\.00%\\s+[\\d.]+rps\\s+5\\.\\dms\\s+9\\.\\dms\\s+9\\.\\dms\\s+100%")
                .containsPattern("podinfo-east\\.test\\.svc\\.cluster\\.local:9898\\s+100\\.00%\\s+[\\d.]+rps\\s+-\\s+-\\s+-\\s+100%");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void trafficsplitAndLinksAreTheirOwnTables() throws IOException {
        String admin = serve(200, n -> n == 0 ? metrics(10, 0) : metrics(100, 10));

        CliRun splits = isthmus("stat", "trafficsplit", "--gateway-admin", admin, "--window", "50ms").ok();
        assertThat(splits.out()).containsPattern("APEX\\s+LEAF\\s+SHARE")
                .containsPattern("podinfo-east\\.test\\.svc\\.cluster\\.local:9898\\s+east\\s+100%\\s+100\\.00%");
        server.stop(0);
        admin = serve(200, n -> n == 0 ? metrics(10, 0) : metrics(100, 10)); // scrapes counted from 0 again
        CliRun links = isthmus("stat", "links", "--gateway-admin", admin, "--window", "50ms").ok();
        assertThat(links.out()).containsPattern("LINK\\s+REQUESTS").containsPattern("\neast\\s+90\\s+100\\.00%");
        assertThat(isthmus("stat", "pods", "--gateway-admin", admin).err())
                .contains("stat pods: unknown resource (expected: svc, trafficsplit or links)");
    }

    @Test
    void namespaceFilterKeepsThatNamespacesServices() throws IOException {
        String admin = serve(200, n -> metrics(10 * (n + 1), 0));

        CliRun other = isthmus("stat", "-n", "other", "--gateway-admin", admin, "--window", "50ms");
        assertThat(other.out()).doesNotContain("podinfo").contains("(no requests recorded by the gateways yet)");
        assertThat(isthmus("stat", "-n", "test", "--gateway-admin", admin, "--window", "50ms").out()).contains("podinfo-east");
    }

    @Test
    void aGatewayThatIsDownIsNamedAndTheOthersStillCount() throws IOException {
        String admin = serve(200, n -> metrics(10 * (n + 1), 0));
        String down = "http://127.0.0.1:" + freePort();

        CliRun run = isthmus("stat", "--gateway-admin", admin, "--gateway-admin", down, "--window", "50ms");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("podinfo.test.svc.cluster.local:9898");
        assertThat(run.err()).contains("‼ cannot scrape " + down + "/metrics: connection refused");
    }

    @Test
    void badSourcesAreOneClearLine() throws IOException {
        int closed = freePort();
        assertError(isthmus("stat", "--gateway-admin", "http://127.0.0.1:" + closed, "--window", "50ms"),
                "cannot scrape http://127.0.0.1:" + closed + "/metrics: connection refused (is the gateway running,"
                        + " and is its admin port reachable from here?)");
        assertError(isthmus("stat", "--gateway-admin", "127.0.0.1:4191"),
                "--gateway-admin 127.0.0.1:4191: not an http URL (expected: http://<host>:<admin port>");
        assertError(isthmus("stat", "--gateway-admin", "http://127.0.0.1:4191", "--window", "0s"),
                "--window 0s: the rates need time between two scrapes (expected: a positive duration, e.g. 10s)");

        String garbage = serve(200, n -> "<html>hello</html>\n");
        assertError(isthmus("stat", "--gateway-admin", garbage, "--window", "50ms"),
                garbage + "/metrics line 1: not a sample, comment or blank line");
        server.stop(0);

        String missing = serve(404, n -> "no such path (expected /live, /ready or /metrics)\n");
        assertError(isthmus("stat", "--gateway-admin", missing, "--window", "50ms"),
                "cannot scrape " + missing + "/metrics: HTTP 404 no such path (expected /live, /ready or /metrics)"
                        + " (expected 200 with the gateway's metrics)");
    }

    @Test
    void withoutAdminUrlsItNeedsAReachableCluster() throws IOException {
        Path kubeconfig = CliRun.unreachableKubeconfig(dir);

        assertError(isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "stat"),
                "--context east: no such context in " + kubeconfig + " (available: nowhere)");
        assertError(isthmus("--kubeconfig", kubeconfig.toString(), "stat", "--window", "50ms"),
                "cannot list the gateway pods in isthmus-multicluster: the API server at https://127.0.0.1:1/ is unreachable:");
        assertThat(isthmus("--kubeconfig", kubeconfig.toString(), "stat", "--window", "50ms").err())
                .contains("(check that the cluster is running, that the kubeconfig's server address is right, and --context)");
    }

    static void assertError(CliRun run, String message) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains(message).doesNotContain("Exception");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
