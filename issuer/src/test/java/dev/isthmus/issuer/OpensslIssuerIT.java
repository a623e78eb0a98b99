package dev.isthmus.issuer;

import static dev.isthmus.issuer.IssuerServiceIT.openssl;
import static dev.isthmus.issuer.RunningIssuer.TOKEN_A;
import static dev.isthmus.issuer.RunningIssuer.WORKLOAD_A;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.TestPki;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A root and issuer made with the openssl command line, as an operator might, serve as well as our own. */
@Timeout(60)
class OpensslIssuerIT {

    @TempDir
    Path dir;

    @Test
    void issuesFromAnOpensslMadeIssuerWithASec1Key() throws Exception {
        String root = dir.resolve("root.crt").toString();
        String rootKey = dir.resolve("root.key").toString();
        String issuerCsr = dir.resolve("issuer.csr").toString();
        Path extensions = Files.writeString(dir.resolve("issuer.ext"),
                "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                        + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", rootKey);
        openssl("req", "-x509", "-new", "-key", rootKey, "-subj", "/CN=root.openssl.example", "-days", "30",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", root);
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", IssuerFiles.keyFile(dir).toString());
        openssl("req", "-new", "-key", IssuerFiles.keyFile(dir).toString(), "-subj", "/CN=issuer.openssl.example", "-out", issuerCsr);
        openssl("x509", "-req", "-in", issuerCsr, "-CA", root, "-CAkey", rootKey, "-CAcreateserial", "-days", "7",
                "-extfile", extensions.toString(), "-out", IssuerFiles.certificateFile(dir).toString());
        Files.copy(Path.of(root), IssuerFiles.anchorsFile(dir));
        assertThat(Files.readString(IssuerFiles.keyFile(dir))).startsWith("-----BEGIN EC PRIVATE KEY-----");

        try (RunningIssuer issuer = RunningIssuer.start(dir)) {
            HttpResponse<String> response = issuer.client().certify(TOKEN_A, Csrs.valid(WORKLOAD_A));

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<X509Certificate> chain = Pem.certificates(response.body(), "response");
            assertThat(chain.get(1).getSubjectX500Principal().getName()).isEqualTo("CN=issuer.openssl.example");
            Path leaf = Files.writeString(dir.resolve("leaf.crt"), Pem.encode(chain.get(0)), US_ASCII);
            assertThat(openssl("verify", "-CAfile", root, "-untrusted", IssuerFiles.certificateFile(dir).toString(), leaf.toString()))
                    .contains(": OK");
        }
    }
}
