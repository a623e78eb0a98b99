package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.identity.ca.CertificateRequestException;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Parses the body of {@code POST /v1/certify}: a PKCS#10 request, DER with
 * {@code Content-Type: application/pkcs10}, or PEM (a body starting with {@code -----BEGIN}). Only the
 * syntax is checked here; what the request asks for is {@code LeafIssuer}'s to judge.
 */
final class CsrBodies {

    static final String DER_CONTENT_TYPE = "application/pkcs10";
    private static final String EXPECTED = " (expected: a PKCS#10 certificate signing request, DER with Content-Type "
            + DER_CONTENT_TYPE + ", or PEM starting with -----BEGIN CERTIFICATE REQUEST-----)";

    private CsrBodies() {}

    /**
     * @param contentType the request's Content-Type header, or null
     * @throws CertificateRequestException saying what is wrong with the body
     */
    static PKCS10CertificationRequest parse(byte[] body, String contentType) {
        if (body.length == 0) {
            throw new CertificateRequestException("the request body is empty" + EXPECTED);
        }
        String text = new String(body, US_ASCII).stripLeading();
        if (text.startsWith("-----BEGIN")) {
            try {
                return Pem.certificateRequest(text, "the request body");
            } catch (PemException e) {
                throw new CertificateRequestException(e.getMessage(), e);
            }
        }
        CharSequence mimeType = contentType == null ? null : HttpUtil.getMimeType(contentType);
        if (mimeType == null || !DER_CONTENT_TYPE.equalsIgnoreCase(mimeType.toString())) {
            throw new CertificateRequestException("the request body is not PEM and its Content-Type is "
                    + (contentType == null ? "missing" : "'" + contentType + "'") + EXPECTED);
        }
        try {
            return new PKCS10CertificationRequest(body);
        } catch (IOException | RuntimeException e) {
            throw new CertificateRequestException("the request body is not a DER certificate signing request: "
                    + e.getMessage() + EXPECTED, e);
        }
    }
}
