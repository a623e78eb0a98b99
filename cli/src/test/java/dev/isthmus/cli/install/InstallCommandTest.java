package dev.isthmus.cli.install;

import static dev.isthmus.cli.install.Cli.certificates;
import static dev.isthmus.cli.install.Cli.concat;
import static dev.isthmus.cli.install.Cli.identityFlags;
import static dev.isthmus.cli.install.Cli.isthmus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.CliRun;
import dev.isthmus.identity.pem.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to the install commands: exit code 1 and one line that names what is wrong and what to do. */
class InstallCommandTest {

    @TempDir Path dir;

    String path(String name) {
        return dir.resolve(name).toString();
    }

    CliRun fails(String... args) {
        CliRun run = isthmus(args);
        assertThat(run.exit()).as("exit code; out: %s", run.out()).isNotZero();
        assertThat(run.out()).as("nothing printed for kubectl").isEmpty();
        return run;
    }

    @Test
    void missingFilesAreNamedWithTheirFlag() {
        certificates(dir);
        CliRun missing = fails("install", "--identity-trust-anchors-file", path("nope.crt"),
                "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("issuer.key"));
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("--identity-trust-anchors-file", "nope.crt: no such file");

        CliRun missingKey = fails("install", "--identity-trust-anchors-file", path("root.crt"),
                "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("gone.key"));
        assertThat(missingKey.err()).contains("gone.key: no such file");

        CliRun noFlags = fails("install");
        assertThat(noFlags.err()).contains("missing --identity-trust-anchors-file, --identity-issuer-certificate-file,"
                + " --identity-issuer-key-file", "isthmus certs root", "--crds");
    }

    @Test
    void aNonCaCertificateIsRefusedAsAnAnchor() {
        certificates(dir);
        isthmus("certs", "leaf", "--ca-cert", path("issuer.crt"), "--ca-key", path("issuer.key"),
                "--identity", "spiffe://cluster.local/ns/east/sa/podinfo", "--cert", path("leaf.crt"), "--key", path("leaf.key")).ok();
        CliRun run = fails(concat(new String[] {"install", "--identity-trust-anchors-file", path("leaf.crt"),
            "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("issuer.key")}));
        assertThat(run.err()).contains("--identity-trust-anchors-file", "is not a CA certificate");

        CliRun multicluster = fails("multicluster", "install", "--identity-trust-anchors-file", path("leaf.crt"));
        assertThat(multicluster.err()).contains("is not a CA certificate");
    }

    @Test
    void anIntermediateIsRefusedAsAnAnchor() {
        certificates(dir);
        CliRun run = fails("install", "--identity-trust-anchors-file", path("issuer.crt"),
                "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("issuer.key"));
        assertThat(run.err()).contains("--identity-trust-anchors-file " + path("issuer.crt") + ": '", "' is not self-signed (issued by '",
                "(expected: a root CA, such as `isthmus certs root` makes; an intermediate CA belongs in"
                        + " --identity-issuer-certificate-file)");

        CliRun multicluster = fails("multicluster", "install", "--identity-trust-anchors-file", path("issuer.crt"));
        assertThat(multicluster.err()).contains("is not self-signed", "(expected: a root CA");
    }

    @Test
    void theAnchorIsRefusedAsTheIssuer() {
        certificates(dir);
        CliRun run = fails("install", "--identity-trust-anchors-file", path("root.crt"),
                "--identity-issuer-certificate-file", path("root.crt"), "--identity-issuer-key-file", path("root.key"));
        assertThat(run.err()).contains("--identity-issuer-certificate-file " + path("root.crt") + ": '", "' is a trust anchor itself",
                "(expected: an intermediate CA signed by the anchor");
    }

    @Test
    void anExpiredAnchorIsRefused() throws Exception {
        certificates(dir);
        Files.writeString(dir.resolve("expired.crt"), expiredRoot());
        CliRun run = fails("install", "--identity-trust-anchors-file", path("expired.crt"),
                "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("issuer.key"));
        assertThat(run.err()).contains("--identity-trust-anchors-file", "the trust anchor 'CN=expired.test' expired at",
                "isthmus certs root");
    }

    @Test
    void anIssuerKeyThatDoesNotMatchItsCertificateIsRefused() {
        certificates(dir);
        isthmus("certs", "issuer", "--ca-cert", path("root.crt"), "--ca-key", path("root.key"),
                "--cert", path("other.crt"), "--key", path("other.key")).ok();
        CliRun run = fails("install", "--identity-trust-anchors-file", path("root.crt"),
                "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("other.key"));
        assertThat(run.err()).contains("--identity-issuer-certificate-file/--identity-issuer-key-file").containsIgnoringCase("match");
    }

    @Test
    void anIssuerFromAnotherAnchorIsRefused() {
        certificates(dir);
        isthmus("certs", "root", "--cert", path("other-root.crt"), "--key", path("other-root.key")).ok();
        CliRun run = fails("install", "--identity-trust-anchors-file", path("other-root.crt"),
                "--identity-issuer-certificate-file", path("issuer.crt"), "--identity-issuer-key-file", path("issuer.key"));
        assertThat(run.err()).contains("does not chain to the trust anchors in", "other-root.crt");
    }

    @Test
    void anUnknownContextIsNamedWithTheContextsThereAre() throws Exception {
        Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "https://127.0.0.1:1"}
                users:
                - name: u
                  user: {token: t}
                contexts:
                - name: west
                  context: {cluster: c, user: u}
                - name: east
                  context: {cluster: c, user: u}
                current-context: west
                """);
        CliRun run = fails("--kubeconfig", path("kubeconfig"), "--context", "north", "multicluster", "uninstall");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("--context north: no such context in " + path("kubeconfig"), "(available: east, west)");
        // Inherited: the same options after the subcommand.
        CliRun after = fails("multicluster", "install", "--context", "north", "--kubeconfig", path("kubeconfig"));
        assertThat(after.err()).contains("--context north: no such context", "(available: east, west)");

        // A context may be named like a command.
        CliRun named = fails("--kubeconfig", path("kubeconfig"), "--context", "install", "multicluster", "uninstall");
        assertThat(named.err()).contains("--context install: no such context", "(available: east, west)");

        CliRun noFile = fails("--kubeconfig", path("absent"), "uninstall");
        assertThat(noFile.err()).contains("--kubeconfig " + path("absent") + ": no such file");

        CliRun unreachable = fails("--kubeconfig", path("kubeconfig"), "multicluster", "uninstall");
        assertThat(unreachable.err()).contains("cannot list Links", "https://127.0.0.1:1", "unreachable");
    }

    @Test
    void unknownFlagsAndBadValuesAreRefusedWithUsage() {
        CliRun unknown = fails("install", "--crd");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--crd'", "Possible solutions: --crds");
        assertThat(fails("multicluster", "install", "--gateway-port", "http").err()).contains("--gateway-port", "'http'");
        assertThat(fails("completion", "fish").err()).contains("expected one of [bash]");

        certificates(dir);
        String anchors = path("root.crt");
        assertThat(fails("multicluster", "install", "--identity-trust-anchors-file", anchors, "--gateway-service-type",
                "loadbalancer").err()).contains("--gateway-service-type loadbalancer (expected: LoadBalancer, NodePort or ClusterIP)");
        assertThat(fails("multicluster", "install", "--identity-trust-anchors-file", anchors, "--gateway-port", "70000").err())
                .contains("--gateway-port 70000 (expected: 1-65535)");
        assertThat(fails("multicluster", "install", "--identity-trust-anchors-file", anchors, "--gateway-probe-port", "4143").err())
                .contains("both 4143");
        assertThat(fails("multicluster", "install", "--identity-trust-anchors-file", anchors, "--gateway-key-exchange", "X25519,X25591")
                .err()).contains("--gateway-key-exchange X25519,X25591: 'X25591' (expected X25519MLKEM768, X25519, P-256, P-384 or P-521)");
        assertThat(fails("multicluster", "install", "--identity-trust-anchors-file", anchors, "--gateway-key-exchange", "X25519,x25519")
                .err()).contains("'x25519' is X25519, which the list already names");
        assertThat(fails(concat(concat(new String[] {"install"}, identityFlags(dir)), "--trust-domain", "Bad_Domain")).err())
                .contains("--trust-domain", "Bad_Domain");
        assertThat(fails(concat(new String[] {"install", "--crds"}, identityFlags(dir))).err())
                .contains("--crds prints only the CRDs");
        assertThat(fails(concat(new String[] {"-n", "elsewhere", "install"}, identityFlags(dir))).err())
                .contains("always go in namespace isthmus");
        assertThat(fails("multicluster", "allow", "--service-account-name", "West_1").err())
                .contains("--service-account-name 'West_1' is invalid");
        assertThat(fails("multicluster", "allow").err()).contains("Missing required option: '--service-account-name=<name>'");
    }

    private static String expiredRoot() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        Instant notAfter = Instant.now().minus(Duration.ofDays(1));
        X500Name name = new X500Name("CN=expired.test");
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.TWO, Date.from(notAfter.minus(Duration.ofDays(30))),
                Date.from(notAfter), name, key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
        return Pem.encode(new JcaX509CertificateConverter().getCertificate(holder));
    }
}
