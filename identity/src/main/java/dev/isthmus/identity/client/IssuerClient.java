package dev.isthmus.identity.client;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.tls.IdentityTrustManager;
import dev.isthmus.identity.tls.PeerIdentities;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Asks the issuer service for a certificate: {@code POST /v1/certify} with the CSR and a bearer token,
 * over TLS 1.3 to a server that must carry exactly the issuer's identity. Checks what comes back
 * before anyone uses it: the key is ours, the identity is ours, the chain leads to an anchor.
 */
public final class IssuerClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI certifyUri;
    private final Supplier<String> token;
    private final TrustAnchors anchors;
    private final Clock clock;
    private final HttpClient http;

    /**
     * @param issuer base address, such as {@code https://isthmus-identity.isthmus.svc:8080}
     * @param issuerIdentity the identity the issuer's TLS certificate must carry
     * @param token read before each request, since projected service-account tokens rotate
     */
    public IssuerClient(URI issuer, SpiffeId issuerIdentity, TrustAnchors anchors, Supplier<String> token, Clock clock) {
        requireNonNull(issuer, "issuer");
        if (!"https".equals(issuer.getScheme()) || issuer.getHost() == null) {
            throw new IllegalArgumentException("issuer address '" + issuer + "' (expected: https://<host>:<port>)");
        }
        this.certifyUri = issuer.resolve("/v1/certify");
        this.token = requireNonNull(token, "token");
        this.anchors = requireNonNull(anchors, "anchors");
        this.clock = requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext(IdentityTrustManager.exactly(anchors, requireNonNull(issuerIdentity, "issuerIdentity"), clock)))
                .sslParameters(new SSLParameters(null, new String[] {"TLSv1.3"}))
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** Requests and checks a certificate for {@code keys} and {@code identity}. */
    public CertifiedKey certify(KeyPair keys, SpiffeId identity) throws CertifyException {
        String csr = Pem.encode(CertificateRequests.create(keys, identity));
        HttpRequest request = HttpRequest.newBuilder(certifyUri)
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token.get().strip())
                .header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofString(csr))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CertifyException("issuer " + certifyUri + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CertifyException("interrupted while waiting for issuer " + certifyUri, e);
        }
        if (response.statusCode() != 200) {
            throw new CertifyException(response.statusCode(), "issuer " + certifyUri + " answered " + response.statusCode()
                    + ": " + abbreviate(response.body()));
        }
        return check(keys, identity, response.body());
    }

    private CertifiedKey check(KeyPair keys, SpiffeId identity, String body) throws CertifyException {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(body, "issuer response");
        } catch (PemException e) {
            throw new CertifyException(200, e.getMessage());
        }
        X509Certificate leaf = chain.get(0);
        if (!Arrays.equals(leaf.getPublicKey().getEncoded(), keys.getPublic().getEncoded())) {
            throw new CertifyException(200, "the issuer returned a certificate for another key");
        }
        SpiffeId issued;
        try {
            issued = PeerIdentities.of(leaf);
        } catch (IllegalArgumentException e) {
            throw new CertifyException(200, "the issuer returned a certificate without our identity: " + e.getMessage());
        }
        if (!issued.equals(identity)) {
            throw new CertifyException(200, "the issuer returned a certificate for " + issued + " (expected " + identity + ")");
        }
        try {
            anchors.verify(chain, clock.instant());
        } catch (CertPathValidatorException e) {
            throw new CertifyException(200, "the issued chain does not verify against the trust anchors: " + e.getMessage());
        }
        return new CertifiedKey(keys.getPrivate(), chain);
    }

    private static SSLContext sslContext(TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, new TrustManager[] {trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS 1.3", e);
        }
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
