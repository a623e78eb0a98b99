package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertificateManager;
import dev.isthmus.identity.client.CertificateManager.Backoff;
import dev.isthmus.identity.client.CertifiedKey;
// Identity's client, not this package's raw test client of the same name.
import dev.isthmus.identity.client.IssuerClient;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.PeerIdentities;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate manager against a real issuer service over real TLS, with lifetimes of seconds: it
 * renews by itself, never leaves a moment without a valid certificate, keeps its certificate while the
 * issuer is down, and renews again once the issuer is back.
 */
class CertificateManagerIT {

    static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final String TOKEN = "gateway-token-0123456789abcdef";

    @TempDir Path dir;

    @Test
    void renewsWithoutAGapAndSurvivesTheIssuerBeingDown() throws Exception {
        Clock clock = Clock.systemUTC();
        TestPki pki = TestPki.create(clock);
        PemFiles.write(List.of(Output.certificates(dir.resolve("root.crt"), pki.root().chain()),
                Output.certificates(dir.resolve("issuer.crt"), pki.issuer().chain()),
                Output.key(dir.resolve("issuer.key"), pki.issuer().key())), false);
        Files.writeString(dir.resolve("tokens"), TOKEN + " " + GATEWAY + "\n");
        Files.writeString(dir.resolve("token"), TOKEN);

        IssuerServiceConfig config = IssuerServiceConfig.builder().bindAddress("127.0.0.1").port(0)
                .issuerCertificate(dir.resolve("issuer.crt")).issuerKey(dir.resolve("issuer.key"))
                .trustAnchors(dir.resolve("root.crt")).trustDomain("cluster.local")
                .leafLifetime(Duration.ofSeconds(3)).clockSkew(Duration.ZERO).build();
        IssuerService service = new IssuerService(config, StaticTokens.load(dir.resolve("tokens")), new SimpleMeterRegistry());
        int port = service.start();

        TrustAnchors anchors = TrustAnchors.load(dir.resolve("root.crt"));
        IssuerClient client = new IssuerClient(URI.create("https://127.0.0.1:" + port), config.serviceIdentity(), anchors,
                () -> readToken(dir.resolve("token")), clock);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (CertificateManager manager = new CertificateManager(GATEWAY, client,
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)), clock, registry).start()) {
            CertifiedKey first = manager.firstCertificate().get(10, TimeUnit.SECONDS);
            assertThat(PeerIdentities.of(first.leaf())).isEqualTo(GATEWAY);
            anchors.verify(first.chain(), clock.instant());

            // Renewal: several certificates in a row, and at every moment one that is valid.
            Set<BigInteger> serials = new LinkedHashSet<>();
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < until) {
                CertifiedKey now = manager.current();
                Instant at = clock.instant();
                assertThat(now.notAfter()).as("a valid certificate at " + at).isAfter(at);
                assertThat(now.notBefore()).isBeforeOrEqualTo(at);
                serials.add(now.leaf().getSerialNumber());
                Thread.sleep(25); // samples the certificate over six seconds: the time passing is the test
            }
            assertThat(serials).as("renewed by itself").hasSizeGreaterThanOrEqualTo(3);
            assertThat(registry.get("isthmus.identity.certificate.expiry").gauge().value()).isPositive();

            // The issuer goes away: the manager keeps what it has and keeps trying.
            service.close();
            CertifiedKey kept = manager.current();
            var failures = registry.get("isthmus.identity.certificate.renewals").tag("result", "failed").counter();
            Awaitility.await("three renewal attempts while the issuer is down").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> failures.count() >= 3);
            assertThat(manager.current()).as("the certificate it had is kept").isSameAs(kept);

            // It comes back on the same port: the next attempt succeeds.
            IssuerServiceConfig again = IssuerServiceConfig.builder().bindAddress("127.0.0.1").port(port)
                    .issuerCertificate(dir.resolve("issuer.crt")).issuerKey(dir.resolve("issuer.key"))
                    .trustAnchors(dir.resolve("root.crt")).trustDomain("cluster.local")
                    .leafLifetime(Duration.ofSeconds(3)).clockSkew(Duration.ZERO).build();
            try (IssuerService restarted = new IssuerService(again, StaticTokens.load(dir.resolve("tokens")),
                    new SimpleMeterRegistry())) {
                restarted.start();
                Awaitility.await("a renewal from the restarted issuer").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20)).until(() -> manager.current() != kept);
                assertThat(manager.current().notAfter()).isAfter(clock.instant());
            }
        } finally {
            service.close();
        }
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
