package dev.isthmus.issuer;

import dev.isthmus.identity.SpiffeId;

/**
 * Proof of identity: turns the bearer token a workload presents into the identity it proves. The
 * issuer signs only that identity. Implementations may block (a call to the Kubernetes API server),
 * so the service calls them off its event loop.
 */
public interface TokenVerifier {

    /**
     * The identity {@code token} proves.
     *
     * @throws TokenRejectedException if the token proves nothing: unknown, expired, for another audience
     * @throws TokenVerifierUnavailableException if the token cannot be checked right now
     */
    SpiffeId verify(String token);
}
