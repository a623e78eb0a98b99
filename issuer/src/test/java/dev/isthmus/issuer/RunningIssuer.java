package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.IdentityTrustManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * An issuer service on 127.0.0.1 reading its files from a test's directory, with static tokens for two
 * workloads, and clients for it.
 */
final class RunningIssuer implements AutoCloseable {

    static final SpiffeId WORKLOAD_A = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/workload-a");
    static final SpiffeId WORKLOAD_B = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/workload-b");
    static final String TOKEN_A = "token-for-workload-a-0123456789";
    static final String TOKEN_B = "token-for-workload-b-0123456789";
    static final SpiffeId SERVICE = IssuerServiceConfig.defaultServiceIdentity(SpiffeId.DEFAULT_TRUST_DOMAIN);

    final Path dir;
    final IssuerService service;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final int port;

    private RunningIssuer(Path dir, IssuerServiceConfig config, TokenVerifier tokens) {
        this.dir = dir;
        this.service = new IssuerService(config, tokens, registry);
        this.port = service.start();
    }

    /** Starts a service on whatever issuer files {@code dir} holds (perhaps none yet), with static tokens. */
    static RunningIssuer start(Path dir, Consumer<IssuerServiceConfig.Builder> customize) {
        Path tokens = dir.resolve("tokens.txt");
        try {
            Files.writeString(tokens, "# test workloads\n" + TOKEN_A + " " + WORKLOAD_A + "\n" + TOKEN_B + " " + WORKLOAD_B + "\n", UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(dir, customize, StaticTokens.load(tokens));
    }

    static RunningIssuer start(Path dir, Consumer<IssuerServiceConfig.Builder> customize, TokenVerifier tokens) {
        IssuerServiceConfig.Builder config = IssuerServiceConfig.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .issuerCertificate(IssuerFiles.certificateFile(dir))
                .issuerKey(IssuerFiles.keyFile(dir))
                .trustAnchors(IssuerFiles.anchorsFile(dir))
                .reloadInterval(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofSeconds(5));
        customize.accept(config);
        return new RunningIssuer(dir, config.build(), tokens);
    }

    static RunningIssuer start(Path dir) {
        return start(dir, config -> {});
    }

    IssuerClient client() {
        return IssuerClient.verifying(anchors(), SERVICE, port);
    }

    TrustAnchors anchors() {
        return TrustAnchors.load(IssuerFiles.anchorsFile(dir));
    }

    SSLContext verifyingTls() {
        return IssuerClient.tls(IdentityTrustManager.exactly(anchors(), SERVICE, Clock.systemUTC()));
    }

    double certified(String result) {
        return registry.get(IssuerMetrics.CERTIFY_REQUESTS).tag("result", result).counter().count();
    }

    @Override
    public void close() {
        service.close();
    }
}
