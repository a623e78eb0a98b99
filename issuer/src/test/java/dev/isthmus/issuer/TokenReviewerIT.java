package dev.isthmus.issuer;

import static dev.isthmus.issuer.IssuerServiceIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.PeerIdentities;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ServiceAccount tokens checked by a real kube-apiserver through the TokenReview API, directly and
 * through the issuer service. The case that stops the API server starts it again (same etcd, same port),
 * so every case runs alone or in any order.
 */
@Timeout(300)
class TokenReviewerIT {

    private static final SpiffeId WORKLOAD_A = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/workload-a");
    private static final SpiffeId WORKLOAD_B = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/workload-b");

    private static KubeApiServer apiServer;
    private static KubernetesClient reviewerClient;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startApiServer() throws Exception {
        KubeApiServer.assumeAvailable();
        apiServer = KubeApiServer.start("identity");
        // The issuer's own client: no retries and short timeouts, so a stopped API server is a prompt 503.
        Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(apiServer.kubeconfig())))
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(2_000)
                .withRequestTimeout(5_000)
                .build();
        reviewerClient = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void stopApiServer() {
        if (reviewerClient != null) {
            reviewerClient.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
    }

    @Test
    void acceptsAServiceAccountTokenForTheAudienceAndNamesItsIdentity() {
        String token = apiServer.serviceAccountToken("apps", "workload-a", TokenReviewer.DEFAULT_AUDIENCES);

        assertThat(new TokenReviewer(reviewerClient, "cluster.local").verify(token)).isEqualTo(WORKLOAD_A);
        assertThat(new TokenReviewer(reviewerClient, "example.org").verify(token))
                .isEqualTo(new SpiffeId("example.org", "apps", "workload-a"));
    }

    @Test
    void checksTheAudience() {
        String forTheApiServer = apiServer.serviceAccountToken("apps", "workload-a", List.of());

        assertThat(new TokenReviewer(reviewerClient, "cluster.local", List.of()).verify(forTheApiServer)).isEqualTo(WORKLOAD_A);
        assertThatThrownBy(() -> new TokenReviewer(reviewerClient, "cluster.local").verify(forTheApiServer))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageContaining("rejected the token").hasMessageContaining("audience");
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> new TokenReviewer(reviewerClient, "cluster.local").verify("not-a-jwt-at-all"))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageContaining("rejected the token");
    }

    @Test
    void issuesOnlyTheIdentityTheTokenProvesThroughTheService() throws Exception {
        IssuerFiles.write(dir, TestPki.create());
        String tokenA = apiServer.serviceAccountToken("apps", "workload-a", TokenReviewer.DEFAULT_AUDIENCES);
        try (RunningIssuer issuer = RunningIssuer.start(dir, config -> {}, new TokenReviewer(reviewerClient, "cluster.local"))) {
            IssuerClient client = issuer.client();

            HttpResponse<String> issued = client.certify(tokenA, Csrs.valid(WORKLOAD_A));
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
            assertThat(PeerIdentities.of(Pem.certificates(issued.body(), "response").get(0))).isEqualTo(WORKLOAD_A);

            assertError(client.certify(tokenA, Csrs.valid(WORKLOAD_B)), 403, "identity_mismatch",
                    "asks for " + WORKLOAD_B + " but the token proves " + WORKLOAD_A);
            assertError(client.certify("not-a-jwt-at-all", Csrs.valid(WORKLOAD_A)), 401, "unauthenticated",
                    "the Kubernetes API server rejected the token");
        }
    }

    @Test
    void answersNotReadyWhenTheApiServerIsGone() throws Exception {
        IssuerFiles.write(dir, TestPki.create());
        String tokenA = apiServer.serviceAccountToken("apps", "workload-a", TokenReviewer.DEFAULT_AUDIENCES);
        TokenReviewer reviewer = new TokenReviewer(reviewerClient, "cluster.local");
        apiServer.stopApiServer();
        try {
            assertThatThrownBy(() -> reviewer.verify(tokenA)).isInstanceOf(TokenVerifierUnavailableException.class)
                    .hasMessageStartingWith("the Kubernetes API server cannot review tokens right now");
            try (RunningIssuer issuer = RunningIssuer.start(dir, config -> {}, reviewer)) {
                HttpResponse<String> response = issuer.client().certify(tokenA, Csrs.valid(WORKLOAD_A));

                assertError(response, 503, "not_ready", "the token cannot be verified right now");
                assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
            }
        } finally {
            apiServer.startApiServer();
        }
    }
}
