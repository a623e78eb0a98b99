package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateRequestException;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.testkit.fuzz.Fuzz;
import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/**
 * The issuer's network- and user-facing input under a seeded mutation fuzzer ({@link Fuzz}): CSR bodies
 * (DER and PEM) as {@code POST /v1/certify} receives them, through the syntax check and the validation,
 * and the PEM files an operator hands it. Only the documented exceptions may come out.
 */
class IssuerInputFuzzTest {

    static final SpiffeId ID = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");

    @Test
    void derCsrBodies() throws Exception {
        Fuzz.target("CSR body, DER")
                .seeds(List.of(Csrs.valid(ID), Csrs.extraIpSan(ID), Csrs.malformedSan(), Csrs.badSignature(ID), Csrs.rsaKey(ID)))
                .documented(CertificateRequestException.class)
                .iterations(20_000)
                .maxLength(16 * 1024)
                .run(body -> {
                    PKCS10CertificationRequest csr = CsrBodies.parse(body, CsrBodies.DER_CONTENT_TYPE);
                    return "valid " + CertificateRequests.validate(csr).namespace();
                });
    }

    @Test
    void pemCsrBodies() throws Exception {
        byte[] pem = Pem.encode(new PKCS10CertificationRequest(Csrs.valid(ID))).getBytes(US_ASCII);
        Fuzz.target("CSR body, PEM")
                .seed(pem)
                .dictionary("-----BEGIN CERTIFICATE REQUEST-----\n", "-----END CERTIFICATE REQUEST-----\n", "-----BEGIN ", "=", "\n")
                .documented(CertificateRequestException.class)
                .iterations(20_000)
                .maxLength(16 * 1024)
                .run(body -> "valid " + CertificateRequests.validate(CsrBodies.parse(body, null)).namespace());
    }

    @Test
    void pemFilesOfAnOperator() throws Exception {
        KeyPair keys = Keys.generateP256();
        String chain = Pem.encode(TestPki.create().leafIssuer().issue(keys.getPublic(), ID).chain());
        String key = Pem.encode(keys.getPrivate());
        Fuzz.target("PEM certificates and key")
                .seeds(List.of(chain.getBytes(US_ASCII), key.getBytes(US_ASCII), (chain + key).getBytes(US_ASCII)))
                .dictionary("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\n",
                        "-----BEGIN EC PRIVATE KEY-----\n", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n")
                .documented(PemException.class)
                .iterations(10_000)
                .maxLength(16 * 1024)
                .run(bytes -> {
                    String text = new String(bytes, US_ASCII);
                    try {
                        return "certificates " + Pem.certificates(text, "fuzz.pem").size();
                    } catch (PemException e) {
                        return "key " + Pem.privateKey(text, "fuzz.pem").getAlgorithm();
                    }
                });
    }
}
