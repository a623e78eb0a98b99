package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateRequestException;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.pem.Pem;
import java.util.Arrays;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class CsrBodiesTest {

    private static final SpiffeId IDENTITY = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/web");
    private final PKCS10CertificationRequest csr = CertificateRequests.create(Keys.generateP256(), IDENTITY);

    @Test
    void readsDerWithItsContentType() throws Exception {
        assertThat(CsrBodies.parse(csr.getEncoded(), "application/pkcs10")).isEqualTo(csr);
        assertThat(CsrBodies.parse(csr.getEncoded(), "Application/PKCS10; charset=binary")).isEqualTo(csr);
    }

    @Test
    void readsPemWhateverTheContentType() {
        byte[] pem = ("\n  " + Pem.encode(csr)).getBytes(US_ASCII);

        assertThat(CsrBodies.parse(pem, null)).isEqualTo(csr);
        assertThat(CsrBodies.parse(pem, "text/plain")).isEqualTo(csr);
    }

    @Test
    void saysWhatIsWrongAndWhatWasExpected() throws Exception {
        assertThatThrownBy(() -> CsrBodies.parse(new byte[0], "application/pkcs10"))
                .isInstanceOf(CertificateRequestException.class)
                .hasMessageStartingWith("the request body is empty (expected: a PKCS#10 certificate signing request");
        assertThatThrownBy(() -> CsrBodies.parse(csr.getEncoded(), "application/octet-stream"))
                .hasMessageStartingWith("the request body is not PEM and its Content-Type is 'application/octet-stream' (expected:");
        assertThatThrownBy(() -> CsrBodies.parse(csr.getEncoded(), null))
                .hasMessageStartingWith("the request body is not PEM and its Content-Type is missing");
        assertThatThrownBy(() -> CsrBodies.parse("garbage".getBytes(US_ASCII), "application/pkcs10"))
                .hasMessageStartingWith("the request body is not a DER certificate signing request: ");
        assertThatThrownBy(() -> CsrBodies.parse(Pem.block("CERTIFICATE", csr.getEncoded()).getBytes(US_ASCII), null))
                .isInstanceOf(CertificateRequestException.class)
                .hasMessageContaining("the request body");
        byte[] trailing = Arrays.copyOf(csr.getEncoded(), csr.getEncoded().length + 1);
        assertThatThrownBy(() -> CsrBodies.parse(trailing, "application/pkcs10")).isInstanceOf(CertificateRequestException.class);
    }
}
