package dev.isthmus.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubeApiServerIT {

    /** Per test rather than per class, so a machine without the binaries reports each test as skipped. */
    @BeforeEach
    void binariesAreBuilt() {
        KubeApiServer.assumeAvailable();
    }

    @Test
    void tokenReviewAuthenticatesMintedServiceAccountTokensAndCloseFreesThePorts() {
        KubeApiServer server = KubeApiServer.start("solo");
        int apiPort = server.url().getPort();
        int etcdPort = server.etcdUrl().getPort();
        try (server) {
            KubernetesClient client = server.client();
            client.namespaces().resource(new NamespaceBuilder()
                    .withNewMetadata().withName("podinfo").endMetadata().build()).create();
            client.serviceAccounts().inNamespace("podinfo").resource(new ServiceAccountBuilder()
                    .withNewMetadata().withName("frontend").endMetadata().build()).create();

            String token = server.serviceAccountToken("podinfo", "frontend", List.of());

            TokenReviewStatus minted = review(client, token, List.of());
            assertThat(minted.getAuthenticated()).isTrue();
            assertThat(minted.getUser().getUsername()).isEqualTo("system:serviceaccount:podinfo:frontend");
            assertThat(minted.getAudiences()).containsExactly(KubeApiServer.SERVICE_ACCOUNT_ISSUER);

            assertThat(review(client, "not-a-token", List.of()).getAuthenticated()).isNotEqualTo(Boolean.TRUE);
        }
        assertThat(isFree(apiPort)).as("kube-apiserver port %d after close", apiPort).isTrue();
        assertThat(isFree(etcdPort)).as("etcd port %d after close", etcdPort).isTrue();
    }

    @Test
    void tokenForAnotherAudienceAuthenticatesOnlyForThatAudience() {
        try (KubeApiServer server = KubeApiServer.start("audience")) {
            // The identity issuer asks for tokens meant for it alone, then reviews them with that audience.
            String token = server.serviceAccountToken("isthmus", "gateway", List.of("identity.isthmus.dev"));

            assertThat(review(server.client(), token, List.of("identity.isthmus.dev")).getAuthenticated()).isTrue();
            assertThat(review(server.client(), token, List.of()).getAuthenticated()).isNotEqualTo(Boolean.TRUE);
        }
    }

    @Test
    void twoServersRunSideBySideWithSeparateState() {
        try (KubeApiServer east = KubeApiServer.start("east"); KubeApiServer west = KubeApiServer.start("west")) {
            assertThat(east.url()).isNotEqualTo(west.url());
            assertThat(east.kubeconfig()).content().contains("current-context: east");
            assertThat(west.kubeconfig()).content().contains("current-context: west");

            east.client().namespaces().resource(new NamespaceBuilder()
                    .withNewMetadata().withName("only-in-east").endMetadata().build()).create();

            assertThat(east.client().namespaces().withName("only-in-east").get()).isNotNull();
            assertThat(west.client().namespaces().withName("only-in-east").get()).isNull();
        }
    }

    @Test
    void aPortTakenBeforeEtcdBindsItStartsTheControlPlaneAgainOnOtherPorts() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int takenPort = taken.getLocalPort();
            AtomicBoolean first = new AtomicBoolean(true);
            // The first port asked for is etcd's: hand out the taken one, as a race with another process would.
            IntSupplier ports = () -> first.getAndSet(false) ? takenPort : LoopbackPorts.next();

            try (KubeApiServer server = KubeApiServer.start("retry", List.of(), ports)) {
                assertThat(server.etcdUrl().getPort()).isNotEqualTo(takenPort);
                assertThat(server.client().namespaces().withName("default").get()).isNotNull();
            }
        }
    }

    private static TokenReviewStatus review(KubernetesClient client, String token, List<String> audiences) {
        TokenReview review = new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(audiences).endSpec()
                .build();
        return client.authentication().v1().tokenReviews().create(review).getStatus();
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
