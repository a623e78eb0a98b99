package dev.isthmus.cli.certs;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code isthmus certs leaf}: a workload certificate by hand, for workloads outside Kubernetes and for tests. */
@Command(name = "leaf", mixinStandardHelpOptions = true,
        description = "Create a workload certificate for one identity, signed by an issuer.")
final class LeafCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--ca-cert", required = true, description = "The issuer's certificate.")
    Path caCert;

    @Option(names = "--ca-key", required = true, description = "The issuer's private key.")
    Path caKey;

    @Option(names = "--identity", required = true, description = "spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>")
    String identity;

    @Option(names = "--cert", required = true, description = "Where to write the certificate, followed by the issuer chain.")
    Path cert;

    @Option(names = "--key", required = true, description = "Where to write the private key (PKCS#8 PEM, mode 0600).")
    Path key;

    @Option(names = "--not-after", defaultValue = "24h", description = "Lifetime (default: ${DEFAULT-VALUE}), never past the issuer.")
    Duration lifetime;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() {
        SpiffeId id = SpiffeId.parse(identity);
        Clock clock = Clock.systemUTC();
        CertificateAuthority issuer = CertificateAuthority.load(caCert, caKey, clock.instant());
        KeyPair keys = Keys.generateP256();
        IssuedCertificate leaf = new LeafIssuer(issuer, lifetime, LeafIssuer.DEFAULT_CLOCK_SKEW, clock).issue(keys.getPublic(), id);
        PemFiles.write(List.of(Output.certificates(cert, leaf.chain()), Output.key(key, keys.getPrivate())), force);
        Summaries.written(spec.commandLine().getOut(), "workload certificate", leaf.leaf(), cert, key);
        return 0;
    }
}
