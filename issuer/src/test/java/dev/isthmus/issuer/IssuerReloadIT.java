package dev.isthmus.issuer;

import static dev.isthmus.issuer.IssuerServiceIT.assertError;
import static dev.isthmus.issuer.RunningIssuer.TOKEN_A;
import static dev.isthmus.issuer.RunningIssuer.WORKLOAD_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.testkit.SettableClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issuer files that appear, expire, and are replaced, well and badly, while the service runs. */
@Timeout(60)
class IssuerReloadIT {

    @TempDir
    Path dir;

    @Test
    void isNotReadyWithoutIssuerFilesAndIssuesOnceTheyAppear() throws Exception {
        SecretMount mount = new SecretMount(dir);
        try (RunningIssuer issuer = RunningIssuer.start(dir)) {
            // Before there is an issuer the service presents a stand-in that only a client trusting anything accepts.
            IssuerClient anyCertificate = IssuerClient.trustingAnything(issuer.port);
            assertThat(anyCertificate.get("/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = anyCertificate.get("/ready");
            assertError(ready, 503, "not_ready", "no issuer is loaded yet");
            assertThat(ready.body()).contains("no such file");
            assertThat(ready.headers().firstValue("Retry-After")).hasValue("5");
            HttpResponse<String> certify = anyCertificate.certify(TOKEN_A, Csrs.valid(WORKLOAD_A));
            assertError(certify, 503, "not_ready", "the issuer cannot sign right now");
            assertThat(issuer.certified("not_ready")).isEqualTo(1);

            TestPki pki = TestPki.create();
            mount.publish(pki, pki.issuer());
            Await.until("the service is ready", () -> anyCertificate.get("/ready").statusCode() == 200);

            HttpResponse<String> issued = issuer.client().certify(TOKEN_A, Csrs.valid(WORKLOAD_A));
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
            assertThat(reloads(issuer, "failed")).as("the missing files are counted once, not on every poll").isEqualTo(1);
            assertThat(reloads(issuer, "ok")).isEqualTo(1);
        }
    }

    @Test
    void isNotReadyWhileTheIssuerIsExpiredAndTheVerifyingClientCannotBeFooled() throws Exception {
        SettableClock clock = SettableClock.startingNow();
        TestPki pki = TestPki.create();
        new SecretMount(dir).publish(pki, pki.issuer());
        try (RunningIssuer issuer = RunningIssuer.start(dir, config -> config.clock(clock))) {
            IssuerClient client = issuer.client();
            assertThat(client.certify(TOKEN_A, Csrs.valid(WORKLOAD_A)).statusCode()).isEqualTo(200);

            clock.advance(TestPki.ISSUER_LIFETIME.plusHours(1));
            assertError(client.get("/ready"), 503, "not_ready", "expired at " + pki.issuer().notAfter());
            assertError(client.certify(TOKEN_A, Csrs.valid(WORKLOAD_A)), 503, "not_ready", "expired at");
            issuer.service.refreshNow(); // the serving certificate is due, but nothing can renew it: it stays

            clock.set(Instant.now());
            assertThat(client.get("/ready").statusCode()).isEqualTo(200);
            assertThat(client.certify(TOKEN_A, Csrs.valid(WORKLOAD_A)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void keepsTheLastGoodIssuerWhenAReplacementIsBadAndSwapsInAGoodOne() throws Exception {
        SecretMount mount = new SecretMount(dir);
        TestPki pki = TestPki.create();
        mount.publish(pki, pki.issuer());
        try (RunningIssuer issuer = RunningIssuer.start(dir);
                RawConnection established = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            IssuerClient client = issuer.client();
            assertThat(issuerOf(client)).isEqualTo(pki.issuer().certificate());

            CertificateAuthority other = pki.newIssuer();
            TestPki otherRoot = TestPki.create();
            KeyPair leafKeys = Keys.generateP256();
            IssuedCertificate leaf = new LeafIssuer(pki.issuer(), Clock.systemUTC()).issue(leafKeys.getPublic(), WORKLOAD_A);
            List<Map<String, String>> badReplacements = List.of(
                    files(pki, "not a certificate", Pem.encode(other.key())),
                    files(pki, Pem.encode(other.chain()), Pem.encode(pki.issuer().key())),
                    files(pki, Pem.encode(leaf.chain()), Pem.encode(leafKeys.getPrivate())),
                    files(pki, Pem.encode(otherRoot.issuer().chain()), Pem.encode(otherRoot.issuer().key())));
            int failures = 0;
            for (Map<String, String> bad : badReplacements) {
                mount.publish(bad);
                int expected = ++failures;
                Await.until(expected + " failed reload(s)", () -> reloads(issuer, "failed") == expected);
                assertThat(issuerOf(client)).isEqualTo(pki.issuer().certificate());
                assertThat(client.get("/ready").statusCode()).isEqualTo(200);
            }

            mount.publish(pki, other);
            Await.until("the new issuer signs", () -> issuerOf(client).equals(other.certificate()));
            assertThat(reloads(issuer, "failed")).isEqualTo(badReplacements.size());
            assertThat(reloads(issuer, "ok")).isEqualTo(2);

            // New connections get a certificate from the new issuer; the one opened before keeps its own and still works.
            try (RawConnection fresh = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
                assertThat(fresh.sslSocket().getSession().getPeerCertificates()[1]).isEqualTo(other.certificate());
            }
            assertThat(established.sslSocket().getSession().getPeerCertificates()[1]).isEqualTo(pki.issuer().certificate());
            established.write("GET /ready HTTP/1.1\r\nHost: issuer\r\n\r\n");
            assertThat(established.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aClientExpectingTheServiceRejectsTheStandIn() throws Exception {
        TestPki pki = TestPki.create();
        IssuerFiles.writeAnchors(dir, pki);
        try (RunningIssuer issuer = RunningIssuer.start(dir)) {
            assertThatThrownBy(() -> issuer.client().get("/live")).hasCauseInstanceOf(SSLHandshakeException.class);
        }
    }

    private static Map<String, String> files(TestPki pki, String certificate, String key) {
        return Map.of("ca-bundle.crt", Pem.encode(pki.root().chain()), "tls.crt", certificate, "tls.key", key);
    }

    /** The issuer certificate that came with a freshly issued leaf. */
    private static X509Certificate issuerOf(IssuerClient client) throws Exception {
        HttpResponse<String> response = client.certify(TOKEN_A, Csrs.valid(WORKLOAD_A));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Pem.certificates(response.body(), "response").get(1);
    }

    private static double reloads(RunningIssuer issuer, String result) {
        return issuer.registry.get(IssuerMetrics.ISSUER_RELOADS).tag("result", result).counter().count();
    }
}
