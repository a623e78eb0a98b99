package dev.isthmus.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isthmus gateway run} as its own process: it starts from a config file, becomes ready, and stops on SIGTERM. */
class GatewayRunIT {

    static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");

    @TempDir Path dir;

    @Test
    void runsFromItsConfigFileAndDrainsOnSigterm() throws Exception {
        writeCredentialsAndConfig();

        Process process = isthmus("gateway", "run", "--config", dir.resolve("gateway.yaml").toString());
        try {
            String admin = adminAddress(process);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(admin + "/ready"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("isthmus_gateway_routes 1.0");

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped after draining").isTrue();
            assertThat(process.exitValue()).isIn(0, 143);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void withWarmupItRunsItsDataPathHotOverLoopbackBeforeItListensAndIsReadyAfter() throws Exception {
        writeCredentialsAndConfig();

        Path stderr = dir.resolve("stderr.log"); // a file, not a pipe nobody reads while the warm-up logs
        Process process = isthmus(stderr, "gateway", "run", "--config", dir.resolve("gateway.yaml").toString(), "--warmup", "10s");
        try {
            String admin = adminAddress(process);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(admin + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped after draining").isTrue();
            String log = Files.readString(stderr);
            // It carried requests, made new connections, ended by itself, and came before the real gateway's listener.
            Matcher warmup = Pattern.compile("warm-up: (\\d+) requests and (\\d+) new connections through two loopback gateways "
                    + "in \\d+ ms").matcher(log);
            assertThat(warmup.find()).as(log).isTrue();
            assertThat(Long.parseLong(warmup.group(1))).as(log).isPositive();
            assertThat(Long.parseLong(warmup.group(2))).as(log).isPositive();
            assertThat(log.indexOf(warmup.group())).isLessThan(log.indexOf("gateway " + GATEWAY + " "));
            assertThat(log).doesNotContain("warm-up failed").doesNotContain("signature provider");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aWarmupThatCouldRunForeverIsRefusedInOneClearLine() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), "identity: spiffe://cluster.local/ns/a/sa/b\ntrustAnchors: x\n"
                + "certificate: {cert: a, key: b}\n");
        Process process = isthmus("gateway", "run", "--config", dir.resolve("gateway.yaml").toString(), "--warmup", "1h");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.exitValue()).as(err).isEqualTo(1);
        assertThat(err).contains("--warmup PT1H: warm-up maximum: PT1H (expected: at most 5 minutes)").doesNotContain("Exception");
    }

    /** The admin server's base address, read from the gateway's first line, which says where it listens. */
    private static String adminAddress(Process process) throws IOException {
        String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        assertThat(line).as("the gateway's first line").isNotNull().contains("mTLS on 127.0.0.1:");
        Matcher admin = Pattern.compile("admin on 127\\.0\\.0\\.1:(\\d+)").matcher(line);
        assertThat(admin.find()).as("the gateway's first line: %s", line).isTrue();
        return "http://127.0.0.1:" + admin.group(1);
    }

    private void writeCredentialsAndConfig() throws Exception {
        TestPki pki = TestPki.create();
        KeyPair keys = Keys.generateP256();
        IssuedCertificate leaf = pki.leafIssuer().issue(keys.getPublic(), GATEWAY);
        PemFiles.write(List.of(Output.certificates(dir.resolve("ca-bundle.crt"), pki.roots()),
                Output.certificates(dir.resolve("tls.crt"), leaf.chain()), Output.key(dir.resolve("tls.key"), keys.getPrivate())),
                false);
        Files.writeString(dir.resolve("routes.yaml"), "services: [{name: web.test.svc.cluster.local, port: 80, endpoints: ['127.0.0.1:1']}]\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                inbound: {address: 127.0.0.1, port: 0}
                admin: {address: 127.0.0.1, port: 0}
                trustAnchors: ca-bundle.crt
                certificate: {cert: tls.crt, key: tls.key}
                routes: {file: routes.yaml}
                timeouts: {drain: 2s}
                """);
    }

    @Test
    void aBadConfigFileIsOneClearLineAndExitCodeOne() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), "identity: spiffe://cluster.local/ns/a/sa/b\ntrustAnchors: x\ntimeouts: {idle: soon}\n"
                + "certificate: {cert: a, key: b}\n");
        Process process = isthmus("gateway", "run", "--config", dir.resolve("gateway.yaml").toString());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(err).contains("gateway.yaml: timeouts.idle: 'soon' is not a duration").doesNotContain("Exception");
    }

    @Test
    void badKubernetesRouteSettingsAreOneClearLineAndExitCodeOne() throws Exception {
        String common = "identity: spiffe://cluster.local/ns/a/sa/b\ntrustAnchors: x\ncertificate: {cert: a, key: b}\n";
        Files.writeString(dir.resolve("selector.yaml"), common + "routes: {kubernetes: {exportSelector: 'exported in (true)'}}\n");
        Files.writeString(dir.resolve("kubeconfig.yaml"), common + "routes: {kubernetes: {kubeconfig: missing-kubeconfig}}\n");

        for (var expected : List.of(
                List.of("selector.yaml", "selector.yaml: routes.kubernetes.exportSelector: 'exported in (true)': cannot read"),
                List.of("kubeconfig.yaml", "kubeconfig.yaml: routes.kubernetes.kubeconfig: " + dir.resolve("missing-kubeconfig")
                        + ": no such file (expected a kubeconfig file)"))) {
            Process process = isthmus("gateway", "run", "--config", dir.resolve(expected.get(0)).toString());
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String err = new String(process.getErrorStream().readAllBytes());
            assertThat(process.exitValue()).as(err).isEqualTo(1);
            assertThat(err).contains(expected.get(1)).doesNotContain("Exception");
        }
    }

    private static Process isthmus(String... args) throws Exception {
        return new ProcessBuilder(command(args)).start();
    }

    private static Process isthmus(Path stderr, String... args) throws Exception {
        return new ProcessBuilder(command(args)).redirectError(stderr.toFile()).start();
    }

    private static List<String> command(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.isthmus.cli.Isthmus"));
        command.addAll(List.of(args));
        return command;
    }
}
