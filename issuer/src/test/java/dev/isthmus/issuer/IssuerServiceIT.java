package dev.isthmus.issuer;

import static dev.isthmus.issuer.RunningIssuer.SERVICE;
import static dev.isthmus.issuer.RunningIssuer.TOKEN_A;
import static dev.isthmus.issuer.RunningIssuer.TOKEN_B;
import static dev.isthmus.issuer.RunningIssuer.WORKLOAD_A;
import static dev.isthmus.issuer.RunningIssuer.WORKLOAD_B;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.IdentityTrustManager;
import dev.isthmus.identity.tls.PeerIdentities;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The issuer service over real TLS on 127.0.0.1: issuance, every error answer, probes, keep-alive. */
@Timeout(60) // a hung connection fails the test instead of the build
class IssuerServiceIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestPki pki;
    private RunningIssuer issuer;
    private IssuerClient client;

    @BeforeEach
    void start() {
        pki = IssuerFiles.write(dir, TestPki.create());
        issuer = RunningIssuer.start(dir);
        client = issuer.client();
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void issuesAChainThatVerifiesWithTheAnchorsAndWithOpenssl() throws Exception {
        KeyPair keys = Keys.generateP256();
        HttpResponse<String> response = client.certify(TOKEN_A, Csrs.valid(keys, WORKLOAD_A));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/pem-certificate-chain");
        List<X509Certificate> chain = Pem.certificates(response.body(), "response");
        assertThat(chain).hasSize(2);
        X509Certificate leaf = chain.get(0);
        assertThat(chain.get(1)).isEqualTo(pki.issuer().certificate());
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(PeerIdentities.of(leaf)).isEqualTo(WORKLOAD_A);
        issuer.anchors().verify(chain, Instant.now());

        Path leafFile = dir.resolve("leaf.crt");
        Path issuerFile = dir.resolve("issuer.crt");
        Files.writeString(leafFile, Pem.encode(leaf), US_ASCII);
        Files.writeString(issuerFile, Pem.encode(chain.get(1)), US_ASCII);
        assertThat(openssl("verify", "-CAfile", IssuerFiles.anchorsFile(dir).toString(), "-untrusted", issuerFile.toString(),
                leafFile.toString())).contains(leafFile + ": OK");
        assertThat(openssl("x509", "-in", leafFile.toString(), "-noout", "-text"))
                .contains("URI:" + WORKLOAD_A)
                .contains("DNS:" + WORKLOAD_A.dnsName())
                .contains("TLS Web Server Authentication, TLS Web Client Authentication");
        assertThat(issuer.certified("ok")).isEqualTo(1);
    }

    @Test
    void acceptsAPemRequest() throws Exception {
        String pem = Pem.encode(CertificateRequests.create(Keys.generateP256(), WORKLOAD_B));
        HttpResponse<String> response = client.send(client.certifyRequest(TOKEN_B)
                .POST(HttpRequest.BodyPublishers.ofString(pem)).build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(PeerIdentities.of(Pem.certificates(response.body(), "response").get(0))).isEqualTo(WORKLOAD_B);
    }

    @Test
    void answersExpectContinueAndThenIssues() throws Exception {
        HttpResponse<String> response = client.send(client.certifyRequest(TOKEN_A)
                .expectContinue(true)
                .header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Csrs.valid(WORKLOAD_A))).build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void rejectsRequestsThatAreNotAValidCsr() throws Exception {
        assertError(client.certify(TOKEN_A, "garbage".getBytes(US_ASCII)), 400, "bad_csr",
                "not a DER certificate signing request");
        assertError(client.certify(TOKEN_A, Csrs.rsaKey(WORKLOAD_A)), 400, "bad_csr", "RSA (expected: EC P-256)");
        assertError(client.certify(TOKEN_A, Csrs.extraIpSan(WORKLOAD_A)), 400, "bad_csr", "a SAN of type IP address");
        assertError(client.certify(TOKEN_A, Csrs.badSignature(WORKLOAD_A)), 400, "bad_csr", "signature");
        assertError(client.certify(TOKEN_A, Csrs.malformedSan()), 400, "bad_csr", "subject alternative names are malformed");
        HttpResponse<String> noType = client.send(client.certifyRequest(TOKEN_A)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Csrs.valid(WORKLOAD_A))).build());
        assertError(noType, 400, "bad_csr", "Content-Type is missing");
        assertThat(issuer.certified("bad_csr")).isEqualTo(6);
    }

    @Test
    void rejectsMissingMalformedAndUnknownTokens() throws Exception {
        byte[] csr = Csrs.valid(WORKLOAD_A);
        HttpResponse<String> none = client.send(client.certifyRequest(null)
                .header("Content-Type", "application/pkcs10").POST(HttpRequest.BodyPublishers.ofByteArray(csr)).build());
        assertError(none, 401, "unauthenticated", "no Authorization header");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

        HttpResponse<String> basic = client.send(client.request("/v1/certify").header("Authorization", "Basic dXNlcjpwYXNz")
                .header("Content-Type", "application/pkcs10").POST(HttpRequest.BodyPublishers.ofByteArray(csr)).build());
        assertError(basic, 401, "unauthenticated", "scheme 'Basic'");

        HttpResponse<String> wrong = client.certify("a-token-nobody-was-ever-given", csr);
        assertError(wrong, 401, "unauthenticated", "not one of the issuer's static tokens");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(issuer.certified("unauthenticated")).isEqualTo(3);
    }

    @Test
    void refusesATokenForOneIdentityAskingForAnother() throws Exception {
        HttpResponse<String> response = client.certify(TOKEN_A, Csrs.valid(WORKLOAD_B));

        assertError(response, 403, "identity_mismatch", "asks for " + WORKLOAD_B + " but the token proves " + WORKLOAD_A);
        assertThat(issuer.certified("identity_mismatch")).isEqualTo(1);
    }

    @Test
    void answersUnknownPathsWrongMethodsAndLargeBodies() throws Exception {
        assertError(client.get("/v1/certify/extra"), 404, "not_found", "nothing at /v1/certify/extra");

        HttpResponse<String> get = client.get("/v1/certify");
        assertError(get, 405, "method_not_allowed", "GET is not allowed on /v1/certify (expected: POST)");
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> post = client.send(client.request("/live").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");

        // A raw connection: the JDK client may reuse its pooled connection while the server closes it after
        // the 413, and then reports no response at all; what is under test is the server's answer.
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            int size = IssuerChannelInitializer.MAX_BODY_BYTES + 1;
            connection.write("POST /v1/certify HTTP/1.1\r\nHost: issuer\r\nAuthorization: Bearer " + TOKEN_A
                    + "\r\nContent-Type: application/pkcs10\r\nContent-Length: " + size + "\r\n\r\n");
            connection.write(new byte[size]);
            RawConnection.Response refused = connection.read();
            assertThat(refused.status()).isEqualTo(413);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("payload_too_large");
            assertThat(JSON.readTree(refused.body()).get("message").asText()).contains("larger than 16384 bytes");
        }

        byte[] exactlyTheLimit = new byte[IssuerChannelInitializer.MAX_BODY_BYTES];
        assertError(client.certify(TOKEN_A, exactlyTheLimit), 400, "bad_csr", "not a DER certificate signing request");
    }

    @Test
    void refusesALargeBodyBeforeItIsSentWhenTheClientExpectsContinue() throws Exception {
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("POST /v1/certify HTTP/1.1\r\nHost: issuer\r\nAuthorization: Bearer " + TOKEN_A
                    + "\r\nContent-Type: application/pkcs10\r\nExpect: 100-continue\r\nContent-Length: 16385\r\n\r\n");
            RawConnection.Response refused = connection.read();

            assertThat(refused.status()).isEqualTo(413);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("payload_too_large");
            // Nothing of the body was sent, so the connection still serves the next request.
            connection.write("GET /live HTTP/1.1\r\nHost: issuer\r\n\r\n");
            assertThat(connection.read().status()).isEqualTo(200);
        }
        assertThat(issuer.certified("payload_too_large")).isEqualTo(1);
    }

    @Test
    void refusesAnExpectationItCannotMeet() throws Exception {
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("POST /v1/certify HTTP/1.1\r\nHost: issuer\r\nExpect: teapot\r\nContent-Length: 10\r\n\r\n");
            RawConnection.Response refused = connection.read();

            assertThat(refused.status()).isEqualTo(417);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("expectation_failed");
        }
    }

    @Test
    void probesSayLiveAndReady() throws Exception {
        assertThat(client.get("/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = client.get("/ready?verbose=1");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("CN=identity.isthmus.cluster.local");
    }

    @Test
    void answersHeadWithHeadersOnly() throws Exception {
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("HEAD /ready HTTP/1.1\r\nHost: issuer\r\n\r\nGET /live HTTP/1.1\r\nHost: issuer\r\n\r\n");
            RawConnection.Response head = connection.readWithoutBody();
            RawConnection.Response next = connection.read();

            assertThat(head.status()).isEqualTo(200);
            assertThat(Integer.parseInt(head.header("Content-Length"))).isPositive();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).as("no stray body bytes before it").isEqualTo("live\n");
        }
    }

    @Test
    void presentsACertificateForItsOwnIdentityThatOnlyVerifiesAsThatIdentity() throws Exception {
        X509Certificate served = issuer.service.servingCertificate();
        assertThat(PeerIdentities.of(served)).isEqualTo(SERVICE);
        assertThat(served.getIssuerX500Principal()).isEqualTo(pki.issuer().certificate().getSubjectX500Principal());

        IssuerClient expectingSomeoneElse = IssuerClient.verifying(issuer.anchors(), WORKLOAD_A, issuer.port);
        assertThatThrownBy(() -> expectingSomeoneElse.get("/live"))
                .hasRootCauseInstanceOf(CertificateException.class)
                .rootCause().hasMessageContaining("peer identity " + SERVICE + " is not accepted");

        TestPki otherAnchor = TestPki.create();
        IssuerClient trustingAnotherAnchor = IssuerClient.verifying(
                new TrustAnchors(otherAnchor.root().chain(), "other"), SERVICE, issuer.port);
        assertThatThrownBy(() -> trustingAnotherAnchor.get("/live"))
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void speaksOnlyTls13() throws Exception {
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        tls12.init(null, new TrustManager[] {IdentityTrustManager.exactly(issuer.anchors(), SERVICE, Clock.systemUTC())}, null);
        try (SSLSocket socket = (SSLSocket) tls12.getSocketFactory().createSocket("127.0.0.1", issuer.port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLException.class);
        }
    }

    @Test
    void keepsTheConnectionAliveAndAnswersPipelinedRequestsInOrder() throws Exception {
        byte[] csrA = Csrs.valid(WORKLOAD_A);
        byte[] csrB = Csrs.valid(WORKLOAD_B);
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            ByteArrayBuilder pipelined = new ByteArrayBuilder()
                    .add(certifyHead(TOKEN_A, csrA.length)).add(csrA)
                    .add("GET /live HTTP/1.1\r\nHost: issuer\r\n\r\n")
                    .add(certifyHead(TOKEN_A, csrB.length)).add(csrB)
                    .add(certifyHead(TOKEN_B, csrB.length)).add(csrB);
            connection.write(pipelined.bytes());

            RawConnection.Response first = connection.read();
            RawConnection.Response second = connection.read();
            RawConnection.Response third = connection.read();
            RawConnection.Response fourth = connection.read();
            assertThat(first.status()).as(first.body()).isEqualTo(200);
            assertThat(PeerIdentities.of(Pem.certificates(first.body(), "first").get(0))).isEqualTo(WORKLOAD_A);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("live\n");
            assertThat(third.status()).isEqualTo(403);
            assertThat(fourth.status()).as(fourth.body()).isEqualTo(200);
            assertThat(PeerIdentities.of(Pem.certificates(fourth.body(), "fourth").get(0))).isEqualTo(WORKLOAD_B);

            connection.write("GET /ready HTTP/1.1\r\nHost: issuer\r\nConnection: close\r\n\r\n");
            assertThat(connection.read().status()).isEqualTo(200);
            assertThat(connection.closedByServer(5_000)).isTrue();
        }
    }

    @Test
    void escapesWhateverTheClientSentInJsonErrors() throws Exception {
        try (RawConnection connection = RawConnection.tls(issuer.verifyingTls(), issuer.port)) {
            connection.write("GET /\"quoted\"\\back%00\u0001 HTTP/1.1\r\nHost: issuer\r\n\r\n");
            RawConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.header("Content-Type")).isEqualTo("application/json");
            JsonNode json = JSON.readTree(response.body());
            assertThat(json.get("error").asText()).isEqualTo("not_found");
            assertThat(json.get("message").asText()).startsWith("nothing at /\"quoted\"\\back%00\u0001 (expected: ");
        }
    }

    static void assertError(HttpResponse<String> response, int status, String code, String messagePart) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("error").asText()).isEqualTo(code);
        assertThat(json.get("message").asText()).contains(messagePart);
    }

    static String certifyHead(String token, int length) {
        return "POST /v1/certify HTTP/1.1\r\nHost: issuer\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/pkcs10\r\nContent-Length: " + length + "\r\n\r\n";
    }

    static String openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), US_ASCII);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    /** Bytes for a pipelined write. */
    static final class ByteArrayBuilder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ByteArrayBuilder add(String text) {
            return add(text.getBytes(US_ASCII));
        }

        ByteArrayBuilder add(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
