package dev.isthmus.cli.check;

import static dev.isthmus.cli.CliRun.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isthmus check} on certificate files, no cluster needed; and what it says when the cluster cannot be reached. */
class CheckCommandTest {

    @TempDir Path dir;

    @BeforeEach
    void walkthrough() {
        assertThat(isthmus("certs", "root", "--cert", path("root.crt"), "--key", path("root.key")).exit()).isZero();
        assertThat(isthmus("certs", "issuer", "--ca-cert", path("root.crt"), "--ca-key", path("root.key"),
                "--cert", path("issuer.crt"), "--key", path("issuer.key")).exit()).isZero();
        assertThat(isthmus("certs", "leaf", "--ca-cert", path("issuer.crt"), "--ca-key", path("issuer.key"),
                "--identity", "spiffe://cluster.local/ns/east/sa/podinfo", "--cert", path("leaf.crt"),
                "--key", path("leaf.key")).exit()).isZero();
    }

    @Test
    void theWalkthroughsCertificatesPass() {
        CliRun run = check("root.crt", "issuer.crt", "issuer.key");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("""
                isthmus-identity
                ----------------
                √ trust anchors can be read (1 certificate)
                √ trust anchors are CA certificates
                √ trust anchors are root CAs
                √ trust anchors are within their validity period
                √ trust anchors will not expire soon
                √ issuer certificate can be read
                √ issuer certificate is a CA that may sign certificates
                √ issuer certificate is not a trust anchor
                √ issuer certificate is within its validity period
                √ issuer certificate will not expire soon
                √ issuer certificate chains to the trust anchors
                √ issuer key matches the issuer certificate

                Status check results are √
                """);
    }

    @Test
    void aLeafIsNoAnchor() {
        CliRun run = check("leaf.crt", "issuer.crt", null);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× trust anchors are CA certificates\n    '" + "CN=podinfo.east.serviceaccount.identity.isthmus.cluster.local")
                .contains("is not a CA certificate (expected basicConstraints CA:TRUE)")
                .contains("~ issuer certificate chains to the trust anchors\n    the trust anchors could not be used (see above)")
                .endsWith("Status check results are ×\n");
    }

    @Test
    void anIntermediateIsNoAnchor() {
        CliRun run = check("issuer.crt", "issuer.crt", "issuer.key");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× trust anchors are root CAs\n    'CN=identity.isthmus.cluster.local' is not self-signed"
                        + " (issued by 'CN=root.isthmus.cluster.local')")
                .contains(path("issuer.crt") + ": expected a root CA, such as `isthmus certs root` makes")
                .contains("~ issuer certificate chains to the trust anchors")
                .endsWith("Status check results are ×\n");
    }

    @Test
    void theAnchorIsNoIssuer() {
        CliRun run = check("root.crt", "root.crt", "root.key");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× issuer certificate is not a trust anchor\n    " + path("root.crt")
                        + ": 'CN=root.isthmus.cluster.local' is a trust anchor itself (expected: an intermediate CA signed by the anchor")
                .endsWith("Status check results are ×\n");
    }

    @Test
    void aLeafIsNoIssuer() {
        CliRun run = check("root.crt", "leaf.crt", "leaf.key");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× issuer certificate is a CA that may sign certificates\n    " + path("leaf.crt"))
                .contains("√ issuer key matches the issuer certificate");
    }

    @Test
    void anExpiredAnchorFails() {
        Instant longAgo = Instant.now().minus(Duration.ofDays(400));
        CertificateAuthority old = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(30), fixed(longAgo));
        write("old.crt", old);

        CliRun run = check("old.crt", null, null);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× trust anchors are within their validity period\n    'CN=root.isthmus.cluster.local' expired at ")
                .contains(path("old.crt") + ": replace it");
    }

    @Test
    void anIssuerNearItsEndWarnsButPasses() {
        Instant now = Instant.now();
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(365),
                fixed(now.minus(Duration.ofDays(30))));
        CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(21), fixed(now.minus(Duration.ofDays(20))));
        write("r.crt", root);
        write("i.crt", issuer);

        CliRun run = check("r.crt", "i.crt", null);

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).containsPattern("‼ issuer certificate will not expire soon\n    'CN=identity.isthmus.cluster.local' expires at \\S+, in \\d+ hours\n"
                        + "    rotate it before then")
                .contains("√ trust anchors will not expire soon")
                .endsWith("Status check results are √\n");
    }

    @Test
    void aKeyThatDoesNotMatchFails() {
        CliRun run = check("root.crt", "issuer.crt", "root.key");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× issuer key matches the issuer certificate\n    " + path("root.key")
                + ": the key does not match the certificate 'CN=identity.isthmus.cluster.local'");
    }

    @Test
    void anIssuerOfAnotherAnchorFails() {
        assertThat(isthmus("certs", "root", "--cert", path("other.crt"), "--key", path("other.key")).exit()).isZero();

        CliRun run = check("other.crt", "issuer.crt", null);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× issuer certificate chains to the trust anchors\n    " + path("issuer.crt")
                + ": 'CN=identity.isthmus.cluster.local' does not chain to any trust anchor");
    }

    @Test
    void missingAndGarbageFilesAreNamed() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("garbage.crt"), "not PEM\n");

        CliRun missing = check("missing.crt", null, null);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("× trust anchors can be read\n    " + path("missing.crt") + ": no such file");

        CliRun garbage = check("root.crt", "garbage.crt", null);
        assertThat(garbage.exit()).isEqualTo(1);
        assertThat(garbage.out()).contains("× issuer certificate can be read\n    " + path("garbage.crt")
                + ": no PEM CERTIFICATE block found");

        CliRun noAnchors = isthmus("check", "--identity-issuer-certificate-file", path("issuer.crt"));
        assertThat(noAnchors.exit()).isEqualTo(1);
        assertThat(noAnchors.err()).contains("(expected: --identity-trust-anchors-file <file> as well)");
    }

    @Test
    void anUnknownContextIsNamedWithTheKnownOnes() throws Exception {
        Path kubeconfig = CliRun.unreachableKubeconfig(dir);

        CliRun run = isthmus("--kubeconfig", kubeconfig.toString(), "--context", "east", "check");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("× can initialize the client\n    --context east: no such context in " + kubeconfig
                + " (available: nowhere)");
    }

    @Test
    void anUnreachableApiServerSaysWhatToCheck() throws Exception {
        Path kubeconfig = CliRun.unreachableKubeconfig(dir);

        CliRun run = isthmus("--kubeconfig", kubeconfig.toString(), "check", "--contexts", "nowhere,west");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("kubernetes-api (nowhere)\n")
                .contains("× can query the Kubernetes API\n    cannot query the API: the API server at https://127.0.0.1:1/ is"
                        + " unreachable: connection refused (check that the cluster is running, that the kubeconfig's server"
                        + " address is right, and --context)")
                .contains("kubernetes-api (west)\n---------------------\n× can initialize the client\n    --context west: no such context")
                .contains("× all contexts trust the same anchors\n    cannot compare: the anchors of nowhere, west could not be read");
    }

    private CliRun check(String anchors, String issuer, String key) {
        List<String> args = new java.util.ArrayList<>(List.of("check", "--identity-trust-anchors-file", path(anchors)));
        if (issuer != null) {
            args.addAll(List.of("--identity-issuer-certificate-file", path(issuer)));
        }
        if (key != null) {
            args.addAll(List.of("--identity-issuer-key-file", path(key)));
        }
        return isthmus(args.toArray(String[]::new));
    }

    private void write(String name, CertificateAuthority authority) {
        PemFiles.write(List.of(Output.certificates(dir.resolve(name), authority.chain())), false);
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private static Clock fixed(Instant at) {
        return Clock.fixed(at, ZoneOffset.UTC);
    }
}
