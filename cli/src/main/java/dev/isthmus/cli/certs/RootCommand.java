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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isthmus certs root}: the self-signed trust anchor every cluster shares. */
@Command(name = "root", mixinStandardHelpOptions = true,
        description = "Create the trust anchor: a self-signed ECDSA P-256 CA shared by all clusters.")
final class RootCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--cert", required = true, description = "Where to write the root certificate (PEM).")
    Path cert;

    @Option(names = "--key", required = true, description = "Where to write the root's private key (PKCS#8 PEM, mode 0600).")
    Path key;

    @Option(names = "--trust-domain", defaultValue = SpiffeId.DEFAULT_TRUST_DOMAIN,
            description = "Trust domain of the identities under this root (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(names = "--not-after", defaultValue = "87600h", description = "Lifetime (default: ${DEFAULT-VALUE}, ten years).")
    Duration lifetime;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() {
        CertificateAuthority root = CertificateAuthority.createRoot(trustDomain, lifetime, Clock.systemUTC());
        PemFiles.write(List.of(Output.certificates(cert, root.chain()), Output.key(key, root.key())), force);
        Summaries.written(spec.commandLine().getOut(), "trust anchor", root.certificate(), cert, key);
        return 0;
    }
}
