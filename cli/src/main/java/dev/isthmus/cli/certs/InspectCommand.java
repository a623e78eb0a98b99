package dev.isthmus.cli.certs;

import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.PemFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isthmus certs inspect}: what a certificate file holds, and whether it chains to the anchors. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a certificate file's subject, SANs, validity, issuer and fingerprint, and whether it chains"
                + " to the trust anchors. Exits 1 when --anchors is given and the chain does not verify.")
final class InspectCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A PEM file with one or more certificates, leaf first.")
    Path file;

    @Option(names = "--anchors", description = "A PEM bundle of trust anchors to verify the chain against.")
    Path anchorsFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<X509Certificate> chain = PemFiles.readCertificates(file);
        TrustAnchors anchors = anchorsFile == null ? null : TrustAnchors.load(anchorsFile);
        Instant now = Instant.now();
        for (int i = 0; i < chain.size(); i++) {
            out.printf("%s: certificate %d of %d%n", file, i + 1, chain.size());
            for (String[] row : CertificateDescription.of(chain.get(i), now)) {
                out.printf("  %-9s %s%n", row[0] + ":", row[1]);
            }
        }
        int status = 0;
        if (anchors != null) {
            try {
                anchors.verify(chain, now);
                out.printf("chain: verified against %s%n", anchorsFile);
            } catch (CertPathValidatorException e) {
                out.printf("chain: does NOT verify against %s: %s%n", anchorsFile, e.getMessage());
                status = 1;
            }
        }
        out.flush();
        return status;
    }
}
