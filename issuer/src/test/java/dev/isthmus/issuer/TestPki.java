package dev.isthmus.issuer;

import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.pem.PemFiles;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A trust anchor and issuers under it, and the files the service reads: {@code ca-bundle.crt},
 * {@code tls.crt} and {@code tls.key}, as a Kubernetes Secret mount names them.
 */
final class TestPki {

    static final String TRUST_DOMAIN = "cluster.local";
    static final Duration ISSUER_LIFETIME = Duration.ofDays(30);

    final CertificateAuthority root;
    final CertificateAuthority issuer;
    private final Clock clock;

    private TestPki(CertificateAuthority root, CertificateAuthority issuer, Clock clock) {
        this.root = root;
        this.issuer = issuer;
        this.clock = clock;
    }

    static TestPki create(Clock clock) {
        CertificateAuthority root = CertificateAuthority.createRoot(TRUST_DOMAIN, Duration.ofDays(365), clock);
        return new TestPki(root, root.createIssuer(TRUST_DOMAIN, ISSUER_LIFETIME, clock), clock);
    }

    static TestPki create() {
        return create(Clock.systemUTC());
    }

    /** Another issuer under the same root, as a rotation brings. */
    CertificateAuthority newIssuer() {
        return root.createIssuer(TRUST_DOMAIN, ISSUER_LIFETIME, clock);
    }

    static Path anchorsFile(Path dir) {
        return dir.resolve("ca-bundle.crt");
    }

    static Path certificateFile(Path dir) {
        return dir.resolve("tls.crt");
    }

    static Path keyFile(Path dir) {
        return dir.resolve("tls.key");
    }

    /** Writes the anchor and this PKI's issuer into {@code dir}. */
    TestPki writeTo(Path dir) {
        writeAnchors(dir);
        writeIssuer(dir, issuer);
        return this;
    }

    void writeAnchors(Path dir) {
        PemFiles.write(List.of(PemFiles.Output.certificates(anchorsFile(dir), root.chain())), true);
    }

    static void writeIssuer(Path dir, CertificateAuthority issuer) {
        PemFiles.write(List.of(
                PemFiles.Output.certificates(certificateFile(dir), issuer.chain()),
                PemFiles.Output.key(keyFile(dir), issuer.key())), true);
    }
}
