package dev.isthmus.cli.certs;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** What the certs commands print: which files they wrote, and what is in them. */
final class Summaries {

    private Summaries() {}

    static void written(PrintWriter out, String kind, X509Certificate certificate, Path cert, Path key) {
        out.printf("Wrote %s to %s (private key %s, mode 0600)%n", kind, cert, key);
        Instant now = Instant.now();
        for (String[] row : CertificateDescription.of(certificate, now)) {
            if (List.of("subject", "valid", "SANs", "SHA-256", "CA").contains(row[0])) {
                out.printf("  %-9s %s%n", row[0] + ":", row[1]);
            }
        }
        out.flush();
    }
}
