package dev.isthmus.issuer;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * Checks Kubernetes ServiceAccount tokens with the TokenReview API ({@code authentication.k8s.io/v1}):
 * the API server says whether the token is valid for one of the audiences and whose it is, and
 * {@code system:serviceaccount:<ns>:<sa>} becomes {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}.
 *
 * <p>The issuer's service account needs {@code create} on {@code tokenreviews}. Each verification is
 * one blocking call; give the client short timeouts and few retries (fabric8 retries unreachable
 * servers with backoff by default), because a workload waits on it and retries a 503 itself.
 */
public final class TokenReviewer implements TokenVerifier {

    /** The audience workloads request for their projected token. */
    public static final List<String> DEFAULT_AUDIENCES = List.of("identity.isthmus.dev");

    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    private final KubernetesClient client;
    private final String trustDomain;
    private final List<String> audiences;

    /**
     * @param audiences the audiences a token must be for; empty means the API server's own audience
     */
    public TokenReviewer(KubernetesClient client, String trustDomain, List<String> audiences) {
        this.client = requireNonNull(client, "client");
        this.trustDomain = SpiffeId.checkTrustDomain(trustDomain);
        this.audiences = List.copyOf(requireNonNull(audiences, "audiences"));
    }

    public TokenReviewer(KubernetesClient client, String trustDomain) {
        this(client, trustDomain, DEFAULT_AUDIENCES);
    }

    @Override
    public SpiffeId verify(String token) {
        requireNonNull(token, "token");
        TokenReview review = new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(audiences).endSpec()
                .build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(review);
        } catch (KubernetesClientException e) {
            // The API server answers every token with a TokenReview; an error here is the issuer's problem
            // (unreachable, overloaded, no RBAC to review tokens), never the workload's.
            throw new TokenVerifierUnavailableException("the Kubernetes API server cannot review tokens right now: "
                    + describe(e), e);
        }
        return identityOf(answer == null ? null : answer.getStatus());
    }

    private SpiffeId identityOf(TokenReviewStatus status) {
        if (status == null) {
            throw new TokenVerifierUnavailableException("the Kubernetes API server answered the TokenReview without a status", null);
        }
        if (status.getError() != null && !status.getError().isEmpty()) {
            throw new TokenRejectedException("the Kubernetes API server rejected the token: " + status.getError());
        }
        if (!Boolean.TRUE.equals(status.getAuthenticated())) {
            throw new TokenRejectedException("the Kubernetes API server did not authenticate the token"
                    + (audiences.isEmpty() ? "" : " (expected: a service account token for audience " + String.join(" or ", audiences) + ")"));
        }
        String username = status.getUser() == null ? null : status.getUser().getUsername();
        return identityOf(username, trustDomain);
    }

    /** fabric8's message alone can be as vague as "An error has occurred."; the root cause says what happened. */
    private static String describe(KubernetesClientException e) {
        StringBuilder text = new StringBuilder();
        if (e.getCode() > 0) {
            text.append("HTTP ").append(e.getCode()).append(": ");
        }
        text.append(e.getMessage());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            text.append(" (").append(root).append(")");
        }
        return text.toString();
    }

    /**
     * The workload identity of a Kubernetes username.
     *
     * @throws TokenRejectedException if the user is not a service account
     */
    static SpiffeId identityOf(String username, String trustDomain) {
        String expected = " (expected: a service account, system:serviceaccount:<namespace>:<name>)";
        if (username == null || !username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            throw new TokenRejectedException("the token belongs to user '" + username + "', not a service account" + expected);
        }
        String[] namespaceAndName = username.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
        if (namespaceAndName.length != 2) {
            throw new TokenRejectedException("the token belongs to '" + username + "'" + expected);
        }
        try {
            return new SpiffeId(trustDomain, namespaceAndName[0], namespaceAndName[1]);
        } catch (IllegalArgumentException e) {
            throw new TokenRejectedException("the token belongs to '" + username + "': " + e.getMessage());
        }
    }
}
