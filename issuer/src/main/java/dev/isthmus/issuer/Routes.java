package dev.isthmus.issuer;

import static java.util.concurrent.CompletableFuture.completedFuture;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.concurrent.CompletableFuture;

/** What the service answers at which path: {@code POST /v1/certify}, {@code GET /live}, {@code GET /ready}. */
final class Routes {

    static final String LIVE = "/live";
    static final String READY = "/ready";
    private static final String PROBE_METHODS = "GET, HEAD";

    private final CertifyEndpoint certify;
    private final IssuerCredentials credentials;

    Routes(CertifyEndpoint certify, IssuerCredentials credentials) {
        this.certify = certify;
        this.credentials = credentials;
    }

    CompletableFuture<Reply> answer(ReceivedRequest request) {
        if (request.decoderResult().isFailure()) {
            // The decoder discards the rest of the connection's input after a malformed request.
            return completedFuture(malformed(request.decoderResult().cause()).closing());
        }
        HttpMethod method = request.method();
        boolean probe = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        return switch (request.path()) {
            case CertifyEndpoint.PATH -> method.equals(HttpMethod.POST)
                    ? certify.answer(request)
                    : completedFuture(Reply.methodNotAllowed(method.name(), request.path(), "POST"));
            case LIVE -> completedFuture(probe
                    ? Reply.text(HttpResponseStatus.OK, "live\n")
                    : Reply.methodNotAllowed(method.name(), request.path(), PROBE_METHODS));
            case READY -> completedFuture(probe ? readiness() : Reply.methodNotAllowed(method.name(), request.path(), PROBE_METHODS));
            default -> completedFuture(Reply.failure(Failure.NOT_FOUND, "nothing at " + request.path()
                    + " (expected: POST " + CertifyEndpoint.PATH + ", GET " + LIVE + " or GET " + READY + ")"));
        };
    }

    private Reply readiness() {
        try {
            return Reply.text(HttpResponseStatus.OK, "ready: issuer "
                    + IssuerCredentials.describe(credentials.usableIssuer().authority()) + "\n");
        } catch (IssuerNotReadyException e) {
            return Reply.failure(Failure.NOT_READY, e.getMessage());
        }
    }

    static Reply malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Reply.failure(Failure.URI_TOO_LONG, "the request line is too long (expected: at most "
                    + IssuerChannelInitializer.MAX_INITIAL_LINE_BYTES + " bytes)");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Reply.failure(Failure.HEADERS_TOO_LARGE, "the request headers are too large (expected: at most "
                    + IssuerChannelInitializer.MAX_HEADER_BYTES + " bytes)");
        }
        String detail = cause == null ? "" : ": " + cause.getMessage();
        return Reply.failure(Failure.BAD_REQUEST, "the request is not well-formed HTTP/1.1" + detail);
    }
}
