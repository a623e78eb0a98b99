package dev.isthmus.issuer;

import static dev.isthmus.issuer.RunningIssuer.TOKEN_A;
import static dev.isthmus.issuer.RunningIssuer.WORKLOAD_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.isthmus.identity.testing.TestPki;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting, binding, and closing gracefully. */
@Timeout(60)
class IssuerServiceLifecycleIT {

    @TempDir
    Path dir;

    @Test
    void closeStopsAcceptingAndLetsTheRequestInFlightFinish() throws Exception {
        IssuerFiles.write(dir, TestPki.create());
        RunningIssuer stub = RunningIssuer.start(dir); // writes the token file
        stub.close();
        BlockingVerifier slow = new BlockingVerifier(StaticTokens.load(dir.resolve("tokens.txt")));
        RunningIssuer issuer = RunningIssuer.start(dir, config -> {}, slow);
        IssuerClient client = issuer.client();

        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(certify(client));
        slow.awaitCall();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(issuer::close);
        Await.until("new connections are refused", () -> !accepts(issuer.port));
        assertThat(closing).isNotDone();

        slow.release();
        HttpResponse<String> answered = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(answered.headers().firstValue("Connection")).hasValue("close");
        closing.get(30, TimeUnit.SECONDS);
    }

    @Test
    void closeGivesUpOnRequestsAfterTheShutdownTimeout() throws Exception {
        IssuerFiles.write(dir, TestPki.create());
        RunningIssuer.start(dir).close();
        BlockingVerifier stuck = new BlockingVerifier(StaticTokens.load(dir.resolve("tokens.txt")));
        RunningIssuer issuer = RunningIssuer.start(dir, config -> config.shutdownTimeout(Duration.ofMillis(200)), stuck);
        IssuerClient client = issuer.client();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(certify(client));
        stuck.awaitCall();

        issuer.close();

        assertThatThrownBy(() -> inFlight.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
        stuck.release();
    }

    @Test
    void startFailsClearlyWhenThePortIsTaken() {
        IssuerFiles.write(dir, TestPki.create());
        try (RunningIssuer first = RunningIssuer.start(dir)) {
            assertThatThrownBy(() -> RunningIssuer.start(dir, config -> config.port(first.port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + first.port + ": ");
        }
    }

    @Test
    void startsOnceAndClosesAnyNumberOfTimes() {
        IssuerFiles.write(dir, TestPki.create());
        RunningIssuer issuer = RunningIssuer.start(dir);
        assertThatThrownBy(issuer.service::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
        issuer.close();
        issuer.close();
        assertThatThrownBy(issuer.service::start).hasMessageContaining("already closed");

        IssuerServiceConfig config = IssuerServiceConfig.builder().issuerCertificate(dir.resolve("tls.crt"))
                .issuerKey(dir.resolve("tls.key")).trustAnchors(dir.resolve("ca-bundle.crt")).build();
        new IssuerService(config, token -> WORKLOAD_A, new SimpleMeterRegistry()).close();
    }

    @Test
    void reportsSecondsUntilTheIssuerExpiresUntilClosed() {
        TestPki pki = IssuerFiles.write(dir, TestPki.create());
        RunningIssuer issuer = RunningIssuer.start(dir);
        Gauge expiry = issuer.registry.get(IssuerMetrics.ISSUER_EXPIRY).gauge();
        double expected = Duration.between(Instant.now(), pki.issuer().notAfter()).toSeconds();
        assertThat(expiry.value()).isCloseTo(expected, within(60.0));

        issuer.close();
        assertThat(issuer.registry.find(IssuerMetrics.ISSUER_EXPIRY).gauge()).isNull();
    }

    private static HttpRequest certify(IssuerClient client) {
        return client.certifyRequest(TOKEN_A).header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Csrs.valid(WORKLOAD_A))).build();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
