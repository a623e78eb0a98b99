package dev.isthmus.identity.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.testing.Openssl;
import dev.isthmus.identity.testing.OpensslCa;
import dev.isthmus.identity.testing.TestPki;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerIdentitiesTest {

    @TempDir
    static Path dir;
    static Openssl openssl;

    @BeforeAll
    static void createRoot() {
        openssl = new Openssl(dir);
        OpensslCa.ecRoot(openssl, "root", 2);
    }

    @Test
    void readsTheUriSanOfAnIssuedLeaf() {
        TestPki pki = TestPki.create();

        assertThat(PeerIdentities.of(pki.workload("emojivoto", "web").leaf()))
                .isEqualTo(new SpiffeId("cluster.local", "emojivoto", "web"));
    }

    @Test
    void ignoresUrisThatAreNotSpiffeIds() {
        X509Certificate certificate = withSans("mixed",
                "URI:https://example.com/web,DNS:web.example.com,URI:spiffe://cluster.local/ns/emojivoto/sa/web");

        assertThat(PeerIdentities.of(certificate)).isEqualTo(new SpiffeId("cluster.local", "emojivoto", "web"));
    }

    @Test
    void rejectsTwoSpiffeIds() {
        X509Certificate certificate = withSans("two",
                "URI:spiffe://cluster.local/ns/emojivoto/sa/web,URI:spiffe://cluster.local/ns/emojivoto/sa/voting");

        assertThatThrownBy(() -> PeerIdentities.of(certificate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=two' names more than one SPIFFE identity (expected exactly one)");
    }

    @Test
    void rejectsACertificateWithOnlyDnsNames() {
        X509Certificate certificate = withSans("dns-only", "DNS:web.emojivoto.serviceaccount.identity.isthmus.cluster.local");

        assertThatThrownBy(() -> PeerIdentities.of(certificate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=dns-only' has no SPIFFE identity (expected a URI SAN spiffe://<td>/ns/<ns>/sa/<sa>)");
    }

    @Test
    void rejectsACertificateWithoutSans() {
        X509Certificate root = PemFiles.readCertificates(dir.resolve("root.crt")).get(0);

        assertThatThrownBy(() -> PeerIdentities.of(root))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=root' has no SPIFFE identity (expected a URI SAN spiffe://<td>/ns/<ns>/sa/<sa>)");
    }

    @Test
    void rejectsAMalformedSpiffeId() {
        X509Certificate certificate = withSans("malformed", "URI:spiffe://cluster.local/ns/emojivoto/sa/web/extra");

        assertThatThrownBy(() -> PeerIdentities.of(certificate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity 'spiffe://cluster.local/ns/emojivoto/sa/web/extra' has an unexpected path"
                        + " (expected: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>)");
    }

    private static X509Certificate withSans(String name, String subjectAltName) {
        OpensslCa.signed(openssl, name, "root", 2, "basicConstraints=critical,CA:FALSE\nsubjectAltName=" + subjectAltName + "\n");
        return PemFiles.readCertificates(dir.resolve(name + ".crt")).get(0);
    }
}
