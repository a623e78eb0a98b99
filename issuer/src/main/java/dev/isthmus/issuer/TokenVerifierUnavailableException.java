package dev.isthmus.issuer;

/**
 * A token that cannot be checked right now, such as when the Kubernetes API server is unreachable; the
 * service answers 503 so the workload retries, instead of 401, which would blame its token.
 */
public final class TokenVerifierUnavailableException extends RuntimeException {
    public TokenVerifierUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
