package dev.isthmus.testkit.kube;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.List;

/** Mints service-account tokens through the TokenRequest API, the way the kubelet does for pods. */
final class ServiceAccountTokens {

    private static final long LIFETIME_SECONDS = 3600;

    private ServiceAccountTokens() {}

    static String mint(KubernetesClient client, String namespace, String serviceAccount, List<String> audiences) {
        createIfAbsent(client.namespaces().resource(
                new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()));
        createIfAbsent(client.serviceAccounts().inNamespace(namespace).resource(
                new ServiceAccountBuilder().withNewMetadata().withName(serviceAccount).endMetadata().build()));
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(audiences)
                .withExpirationSeconds(LIFETIME_SECONDS)
                .endSpec()
                .build();
        return client.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                .tokenRequest(request).getStatus().getToken();
    }

    private static void createIfAbsent(Resource<?> resource) {
        try {
            resource.create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
    }
}
