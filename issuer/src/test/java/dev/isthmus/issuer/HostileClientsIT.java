package dev.isthmus.issuer;

import static dev.isthmus.issuer.IssuerServiceIT.certifyHead;
import static dev.isthmus.issuer.RunningIssuer.TOKEN_A;
import static dev.isthmus.issuer.RunningIssuer.WORKLOAD_A;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.identity.testing.TestPki;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that are wrong, slow or hostile: each is answered or closed, and none leaves a buffer behind
 * (the leak check fails this class if one does).
 */
@Timeout(60)
class HostileClientsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private RunningIssuer issuer;

    @BeforeEach
    void start() {
        IssuerFiles.write(dir, TestPki.create());
        issuer = RunningIssuer.start(dir, config -> config.idleTimeout(IDLE_TIMEOUT));
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void closesAConnectionThatSendsGarbageInsteadOfTls() throws Exception {
        byte[] garbage = new byte[4096];
        new SecureRandom().nextBytes(garbage);
        try (RawConnection connection = RawConnection.plain(issuer.port)) {
            connection.write(garbage);
            assertThat(connection.closedByServer(10_000)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void closesAConnectionThatSpeaksPlainHttpToTheTlsPort() throws Exception {
        try (RawConnection connection = RawConnection.plain(issuer.port)) {
            connection.write("GET /live HTTP/1.1\r\nHost: issuer\r\n\r\n");
            assertThat(connection.closedByServer(10_000)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void answersGarbageInsideTlsWithBadRequestAndCloses() throws Exception {
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("\u0001\u0002 this is not HTTP\r\n\r\n");
            RawConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("bad_request");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(connection.closedByServer(10_000)).isTrue();
        }
    }

    @Test
    void rejectsOversizedHeadersAndRequestLines() throws Exception {
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("GET /live HTTP/1.1\r\nHost: issuer\r\nX-Padding: " + "a".repeat(10_000) + "\r\n\r\n");
            RawConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(431);
            assertThat(JSON.readTree(response.body()).get("message").asText()).contains("at most 8192 bytes");
            assertThat(connection.closedByServer(10_000)).isTrue();
        }
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("GET /" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: issuer\r\n\r\n");
            RawConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(414);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("uri_too_long");
            assertThat(connection.closedByServer(10_000)).isTrue();
        }
    }

    @Test
    void closesIdleConnectionsBeforeAndAfterTheHandshake() throws Exception {
        try (RawConnection silentTcp = RawConnection.plain(issuer.port)) {
            assertThat(silentTcp.closedByServer(10_000)).isTrue();
        }
        try (RawConnection keptAlive = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            keptAlive.write("GET /live HTTP/1.1\r\nHost: issuer\r\n\r\n");
            assertThat(keptAlive.read().status()).isEqualTo(200);
            assertThat(keptAlive.closedByServer(10_000)).isTrue();
        }
    }

    @Test
    void keepsAConnectionWhoseAnswerTakesLongerThanTheIdleTimeout() throws Exception {
        issuer.close();
        BlockingVerifier slow = new BlockingVerifier(StaticTokens.load(dir.resolve("tokens.txt")));
        issuer = RunningIssuer.start(dir, config -> config.idleTimeout(IDLE_TIMEOUT), slow);
        byte[] csr = Csrs.valid(WORKLOAD_A);
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write(certifyHead(TOKEN_A, csr.length)).write(csr);
            slow.awaitCall();
            Thread.sleep(IDLE_TIMEOUT.multipliedBy(3).toMillis()); // the line is silent while the token is reviewed

            slow.release();
            assertThat(connection.read().status()).isEqualTo(200);
            assertThat(connection.closedByServer(10_000)).as("idle once answered").isTrue();
        }
    }

    @Test
    void survivesAClientThatHangsUpHalfwayThroughItsBody() throws Exception {
        byte[] csr = Csrs.valid(WORKLOAD_A);
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write(certifyHead(TOKEN_A, csr.length));
            connection.write(Arrays.copyOf(csr, csr.length / 2));
        }
        assertStillServing();
    }

    @Test
    void answersOverloadedWhenEveryVerifierIsBusyAndTheQueueIsFull() throws Exception {
        issuer.close();
        BlockingVerifier slow = new BlockingVerifier(StaticTokens.load(dir.resolve("tokens.txt")));
        issuer = RunningIssuer.start(dir, config -> config.verifierThreads(1).verifierQueue(1), slow);
        IssuerClient client = issuer.client();
        HttpRequest request = client.certifyRequest(TOKEN_A).header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Csrs.valid(WORKLOAD_A))).build();

        CompletableFuture<HttpResponse<String>> first = client.sendAsync(request);
        slow.awaitCall();
        // The one thread is busy with the first: of the next two, one waits in the queue, the other finds it full.
        CompletableFuture<HttpResponse<String>> second = client.sendAsync(request);
        CompletableFuture<HttpResponse<String>> third = client.sendAsync(request);
        CompletableFuture.anyOf(second, third).get(30, TimeUnit.SECONDS);
        HttpResponse<String> refused = second.isDone() ? second.get() : third.get();
        CompletableFuture<HttpResponse<String>> queued = second.isDone() ? third : second;

        IssuerServiceIT.assertError(refused, 503, "overloaded", "more requests waiting than it queues");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(queued).isNotDone();
        slow.release();
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(issuer.certified("overloaded")).isEqualTo(1);
        assertThat(issuer.certified("ok")).isEqualTo(2);
    }

    private void assertStillServing() throws Exception {
        assertThat(issuer.client().get("/live").statusCode()).isEqualTo(200);
    }
}
