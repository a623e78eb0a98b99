package dev.isthmus.issuer;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateRequestException;
import dev.isthmus.identity.ca.IdentityMismatchException;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.IssuedCertificate;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * {@code POST /v1/certify}: a workload proves who it is with a token and gets a certificate for exactly
 * that identity. What is cheap and needs no secret is checked on the event loop (the Authorization header
 * is there, an issuer can sign, the body parses); the token is verified and the certificate signed on the
 * verifier executor, because verifying may block on the Kubernetes API server. The token is checked
 * before what the request asks for, so an unauthenticated client learns nothing about its request.
 */
final class CertifyEndpoint {

    static final String PATH = "/v1/certify";

    private static final Logger log = Logger.getLogger(CertifyEndpoint.class.getName());

    private final IssuerCredentials credentials;
    private final TokenVerifier verifier;
    private final String trustDomain;
    private final Executor executor;
    private final IssuerMetrics metrics;

    CertifyEndpoint(IssuerCredentials credentials, TokenVerifier verifier, String trustDomain, Executor executor,
            IssuerMetrics metrics) {
        this.credentials = credentials;
        this.verifier = verifier;
        this.trustDomain = trustDomain;
        this.executor = executor;
        this.metrics = metrics;
    }

    /** The reply; completes on a verifier thread, or at once when the request fails the first checks. */
    CompletableFuture<Reply> answer(ReceivedRequest request) {
        return start(request).thenApply(reply -> {
            metrics.certified(reply.result());
            return reply;
        });
    }

    private CompletableFuture<Reply> start(ReceivedRequest request) {
        String token;
        PKCS10CertificationRequest csr;
        try {
            token = BearerToken.from(request.headers().getAll(HttpHeaderNames.AUTHORIZATION));
            credentials.usableIssuer(); // no token review while nothing could be signed anyway
            csr = CsrBodies.parse(request.body(), request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(replyTo(e));
        }
        try {
            return CompletableFuture.supplyAsync(() -> certify(token, csr), executor).exceptionally(this::replyTo);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Reply.failure(Failure.OVERLOADED,
                    "the issuer has more requests waiting than it queues (expected: retry after a second)"));
        }
    }

    private Reply certify(String token, PKCS10CertificationRequest csr) {
        SpiffeId proven = verifier.verify(token);
        if (!proven.trustDomain().equals(trustDomain)) {
            return Reply.failure(Failure.IDENTITY_MISMATCH, "the token proves " + proven
                    + ", which is outside this issuer's trust domain (expected: an identity in " + trustDomain + ")");
        }
        IssuedCertificate issued = credentials.usableIssuer().issue(csr, proven);
        log.info(() -> "issued a certificate for " + proven + ": serial " + issued.leaf().getSerialNumber().toString(16)
                + ", valid until " + issued.notAfter() + ", SHA-256 " + fingerprint(issued));
        return Reply.certificateChain(issued);
    }

    private Reply replyTo(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TokenRejectedException) {
            return Reply.failure(Failure.UNAUTHENTICATED, cause.getMessage());
        }
        if (cause instanceof CertificateRequestException) {
            return Reply.failure(Failure.BAD_CSR, cause.getMessage());
        }
        if (cause instanceof IdentityMismatchException) {
            return Reply.failure(Failure.IDENTITY_MISMATCH, cause.getMessage());
        }
        if (cause instanceof IssuerNotReadyException || cause instanceof InvalidAuthorityException) {
            return Reply.failure(Failure.NOT_READY, "the issuer cannot sign right now: " + cause.getMessage());
        }
        if (cause instanceof TokenVerifierUnavailableException) {
            log.warning("cannot verify a token: " + cause.getMessage());
            return Reply.failure(Failure.NOT_READY, "the token cannot be verified right now: " + cause.getMessage());
        }
        log.log(Level.SEVERE, "certifying failed unexpectedly", cause);
        return Reply.failure(Failure.INTERNAL_ERROR, "the issuer failed unexpectedly: " + cause);
    }

    private static String fingerprint(IssuedCertificate issued) {
        try {
            return HexFormat.of().formatHex(FileFingerprint.sha256().digest(issued.leaf().getEncoded()));
        } catch (CertificateEncodingException e) {
            return "unavailable";
        }
    }
}
