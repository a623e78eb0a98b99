package dev.isthmus.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * West and east in two network namespaces of their own, joined by a veth pair, each gateway a real
 * {@code isthmus gateway run} process: a plain client in west reaches a backend in east, which only
 * east's gateway can reach, over east's own address. Needs root (to make namespaces); skipped otherwise.
 */
class TwoNamespacesIT {

    static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId WEST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");

    @TempDir Path dir;

    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(10_000, 99_999));
    private final String westNs = "isthmus-w" + suffix;
    private final String eastNs = "isthmus-e" + suffix;
    private final String eastAddress = "10.213." + (Integer.parseInt(suffix) % 250) + ".2";
    private final String westAddress = "10.213." + (Integer.parseInt(suffix) % 250) + ".1";
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        run(false, "ip", "netns", "del", westNs);
        run(false, "ip", "netns", "del", eastNs);
    }

    @Test
    void aClientInWestReachesABackendInEastAcrossTheVethPair() throws Exception {
        assumeTrue("0".equals(output("id", "-u").strip()), "needs root to create network namespaces; skipped");
        assumeTrue(run(false, "ip", "netns", "list") == 0, "needs the ip command with netns support; skipped");
        assumeTrue(run(false, "python3", "--version") == 0, "needs python3 for the backend; skipped");

        run(true, "ip", "netns", "add", westNs);
        run(true, "ip", "netns", "add", eastNs);
        run(true, "ip", "link", "add", "vw" + suffix, "type", "veth", "peer", "name", "ve" + suffix);
        run(true, "ip", "link", "set", "vw" + suffix, "netns", westNs);
        run(true, "ip", "link", "set", "ve" + suffix, "netns", eastNs);
        run(true, "ip", "-n", westNs, "addr", "add", westAddress + "/24", "dev", "vw" + suffix);
        run(true, "ip", "-n", eastNs, "addr", "add", eastAddress + "/24", "dev", "ve" + suffix);
        for (String ns : List.of(westNs, eastNs)) {
            run(true, "ip", "-n", ns, "link", "set", "lo", "up");
        }
        run(true, "ip", "-n", westNs, "link", "set", "vw" + suffix, "up");
        run(true, "ip", "-n", eastNs, "link", "set", "ve" + suffix, "up");

        writeCredentials();
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "greetings from east\n");
        Files.writeString(dir.resolve("east-routes.yaml"),
                "services: [{name: podinfo.test.svc.cluster.local, port: 9898, endpoints: ['127.0.0.1:18080']}]\n");
        Files.writeString(dir.resolve("west-routes.yaml"), """
                outbound:
                  - port: 19898
                    name: podinfo-east
                    backends:
                      - remote: {link: east, gateways: ['%s:4143'], identity: '%s', service: podinfo.test.svc.cluster.local, port: 9898}
                """.formatted(eastAddress, EAST));
        Files.writeString(dir.resolve("east.yaml"), gatewayConfig(EAST, eastAddress, "east"));
        Files.writeString(dir.resolve("west.yaml"), gatewayConfig(WEST, "127.0.0.1", "west"));

        start(eastNs, "python3", "-m", "http.server", "18080", "--bind", "127.0.0.1", "--directory", dir.resolve("www").toString());
        start(eastNs, java("gateway", "run", "--config", dir.resolve("east.yaml").toString()));
        start(westNs, java("gateway", "run", "--config", dir.resolve("west.yaml").toString()));

        // The backend is reachable only inside east; west reaches it through the two gateways.
        assertThat(run(false, "ip", "netns", "exec", westNs, "curl", "-s", "-m", "2", "http://" + eastAddress + ":18080/"))
                .as("the backend is not reachable from west directly").isNotZero();
        Awaitility.await("greetings from east through the two gateways").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                .until(() -> output("ip", "netns", "exec", westNs, "curl", "-s", "-m", "5", "http://127.0.0.1:19898/"),
                        body -> body.contains("greetings from east"));
        String metrics = output("ip", "netns", "exec", eastNs, "curl", "-s", "-m", "5", "http://127.0.0.1:4191/metrics");
        assertThat(metrics).contains("isthmus_gateway_requests_total{peer=\"" + WEST + "\",status_class=\"2xx\",target=\"podinfo.test.svc.cluster.local:9898\"}");
    }

    private String gatewayConfig(SpiffeId identity, String inboundAddress, String name) {
        return """
                identity: %s
                inbound: {address: '%s', port: 4143}
                admin: {address: 127.0.0.1, port: 4191}
                outbound: {address: 127.0.0.1}
                trustAnchors: root.crt
                certificate: {cert: %s.crt, key: %s.key}
                routes: {file: %s-routes.yaml}
                timeouts: {drain: 1s}
                """.formatted(identity, inboundAddress, name, name, name);
    }

    private void writeCredentials() {
        TestPki pki = TestPki.create();
        List<Output> files = new ArrayList<>(List.of(Output.certificates(dir.resolve("root.crt"), pki.roots())));
        for (String name : List.of("east", "west")) {
            KeyPair keys = Keys.generateP256();
            IssuedCertificate leaf = new LeafIssuer(pki.newIssuer(), pki.clock()).issue(keys.getPublic(), name.equals("east") ? EAST : WEST);
            files.add(Output.certificates(dir.resolve(name + ".crt"), leaf.chain()));
            files.add(Output.key(dir.resolve(name + ".key"), keys.getPrivate()));
        }
        PemFiles.write(files, false);
    }

    private static String[] java(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.isthmus.cli.Isthmus"));
        command.addAll(List.of(args));
        return command.toArray(new String[0]);
    }

    private void start(String namespace, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        processes.add(new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(namespace + "-" + processes.size() + ".log").toFile()).start());
    }

    private static int run(boolean mustSucceed, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        if (mustSucceed && process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return process.exitValue();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
