package dev.isthmus.cli.certs;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code isthmus certs issuer}: an intermediate CA, one per cluster, that signs that cluster's workloads. */
@Command(name = "issuer", mixinStandardHelpOptions = true,
        description = "Create an issuer: an intermediate CA (path length 0) signed by the trust anchor.")
final class IssuerCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--ca-cert", required = true, description = "The signing CA's certificate (the trust anchor).")
    Path caCert;

    @Option(names = "--ca-key", required = true, description = "The signing CA's private key.")
    Path caKey;

    @Option(names = "--cert", required = true, description = "Where to write the issuer certificate (PEM).")
    Path cert;

    @Option(names = "--key", required = true, description = "Where to write the issuer's private key (PKCS#8 PEM, mode 0600).")
    Path key;

    @Option(names = "--trust-domain", defaultValue = SpiffeId.DEFAULT_TRUST_DOMAIN,
            description = "Trust domain, used in the issuer's name (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(names = "--not-after", defaultValue = "8760h", description = "Lifetime (default: ${DEFAULT-VALUE}, one year),"
            + " never past the signing CA.")
    Duration lifetime;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() {
        Clock clock = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.load(caCert, caKey, clock.instant());
        CertificateAuthority issuer = ca.createIssuer(trustDomain, lifetime, clock);
        PemFiles.write(List.of(Output.certificates(cert, issuer.chain()), Output.key(key, issuer.key())), force);
        Summaries.written(spec.commandLine().getOut(), "issuer", issuer.certificate(), cert, key);
        return 0;
    }
}
