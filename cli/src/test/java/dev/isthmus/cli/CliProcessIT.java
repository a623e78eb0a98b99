package dev.isthmus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.install.Manifests;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.client.IssuerClient;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.PeerIdentities;
import dev.isthmus.issuer.TokenReviewer;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user runs it: its own JVM (so {@code main}'s logging applies), against a real API server,
 * with no kubeconfig at the default places, so only the flags can lead it to the server.
 */
@Timeout(300)
class CliProcessIT {

    static final SpiffeId ISSUER = SpiffeId.parse("spiffe://cluster.local/ns/isthmus/sa/isthmus-identity");
    static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/workload-a");

    static KubeApiServer api;

    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        KubeApiServer.assumeAvailable();
        api = KubeApiServer.start("cli-process");
        KubernetesClient client = api.client();
        for (HasMetadata crd : Manifests.parse(CliRun.isthmus("install", "--crds").ok().out(), "install --crds")) {
            client.resource(crd).create();
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(CliProcessIT::established, 30, TimeUnit.SECONDS);
        }
        Files.createDirectories(dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void identityRunVerifiesTokensWithTheApiServerOfKubeconfigAndContext() throws Exception {
        TestPki pki = TestPki.create();
        PemFiles.write(List.of(Output.certificates(dir.resolve("root.crt"), pki.roots()),
                Output.certificates(dir.resolve("issuer.crt"), pki.issuer().chain()),
                Output.key(dir.resolve("issuer.key"), pki.issuer().key())),
                false);

        Process process = isthmus("identity-run", "--kubeconfig", api.kubeconfig().toString(), "--context", api.name(),
                "identity", "run", "--kubernetes", "--address", "127.0.0.1", "--port", "0",
                "--issuer-certificate", dir.resolve("issuer.crt").toString(), "--issuer-key", dir.resolve("issuer.key").toString(),
                "--trust-anchors", dir.resolve("root.crt").toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("the issuer's first line").isNotNull();
            Matcher listening = Pattern.compile("identity issuer listening on https://127\\.0\\.0\\.1:(\\d+) ").matcher(line);
            assertThat(listening.find()).as(line).isTrue();

            String token = api.serviceAccountToken("apps", "workload-a", TokenReviewer.DEFAULT_AUDIENCES);
            IssuerClient client = new IssuerClient(URI.create("https://127.0.0.1:" + listening.group(1)), ISSUER,
                    pki.anchors(), () -> token, pki.clock());
            CertifiedKey issued = client.certify(Keys.generateP256(), WORKLOAD);

            assertThat(PeerIdentities.of(issued.leaf())).isEqualTo(WORKLOAD);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** fabric8 warns about every v1alpha1 resource it touches; ours (Link, TrafficSplit) are v1alpha1 on purpose. */
    @Test
    void commandsThatReadLinksPrintOnlyTheirOwnMessages() throws Exception {
        Process process = isthmus("gateways", "--kubeconfig", api.kubeconfig().toString(), "multicluster", "gateways");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("gateways.err"));

        assertThat(process.exitValue()).as("stderr: %s", err).isZero();
        assertThat(out).isEqualTo("No Links in namespace isthmus-multicluster (link a cluster with `isthmus multicluster link`)\n");
        assertThat(err).doesNotContain("unstable version").doesNotContain("VersionUsageUtils").isEmpty();
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions()
                .stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * A JVM of the CLI whose home has no ~/.kube/config and whose environment names no kubeconfig; its stderr
     * goes to {@code <name>.err}.
     */
    private static Process isthmus(String name, String... args) throws Exception {
        Path home = dir.resolve("home");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), "dev.isthmus.cli.Isthmus"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile());
        builder.environment().remove("KUBECONFIG");
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().put("HOME", home.toString());
        return builder.start();
    }
}
