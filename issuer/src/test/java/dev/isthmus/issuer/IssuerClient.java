package dev.isthmus.issuer;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.tls.IdentityTrustManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What a workload does: HTTPS to 127.0.0.1 with the JDK's client, trusting the service only if its
 * certificate chains to the anchors and names the expected identity.
 */
final class IssuerClient {

    private final HttpClient http;
    private final URI base;

    private IssuerClient(SSLContext tls, int port) {
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.base = URI.create("https://127.0.0.1:" + port);
    }

    static IssuerClient verifying(TrustAnchors anchors, SpiffeId service, int port) {
        return new IssuerClient(tls(IdentityTrustManager.exactly(anchors, service, Clock.systemUTC())), port);
    }

    /** Trusts any certificate: only for looking at a service that has no issuer yet. */
    static IssuerClient trustingAnything(int port) {
        return new IssuerClient(tls(new TrustAnything()), port);
    }

    static SSLContext tls(TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, new TrustManager[] {trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> certify(String token, byte[] der) throws InterruptedException {
        return send(certifyRequest(token).header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofByteArray(der)).build());
    }

    HttpRequest.Builder certifyRequest(String token) {
        HttpRequest.Builder request = request("/v1/certify");
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> get(String path) throws InterruptedException {
        return send(request(path).GET().build());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    }

    HttpResponse<String> send(HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static final class TrustAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
