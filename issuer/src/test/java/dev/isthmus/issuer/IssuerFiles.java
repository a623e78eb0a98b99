package dev.isthmus.issuer;

import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.testing.TestPki;
import java.nio.file.Path;
import java.util.List;

/**
 * The files the service reads, named as a Kubernetes Secret mount names them: {@code ca-bundle.crt},
 * {@code tls.crt} and {@code tls.key}, written from the shared test PKI.
 */
final class IssuerFiles {

    private IssuerFiles() {}

    static Path anchorsFile(Path dir) {
        return dir.resolve("ca-bundle.crt");
    }

    static Path certificateFile(Path dir) {
        return dir.resolve("tls.crt");
    }

    static Path keyFile(Path dir) {
        return dir.resolve("tls.key");
    }

    /** Writes {@code pki}'s anchor and issuer into {@code dir}; returns {@code pki}. */
    static TestPki write(Path dir, TestPki pki) {
        writeAnchors(dir, pki);
        writeIssuer(dir, pki.issuer());
        return pki;
    }

    static void writeAnchors(Path dir, TestPki pki) {
        PemFiles.write(List.of(PemFiles.Output.certificates(anchorsFile(dir), pki.root().chain())), true);
    }

    static void writeIssuer(Path dir, CertificateAuthority issuer) {
        PemFiles.write(List.of(
                PemFiles.Output.certificates(certificateFile(dir), issuer.chain()),
                PemFiles.Output.key(keyFile(dir), issuer.key())), true);
    }
}
