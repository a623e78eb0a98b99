package dev.isthmus.mirror.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** fabric8 clients as the mirror uses them: every request counted. */
public final class KubeClients {

    private KubeClients() {}

    public static KubernetesClient build(Config config, RequestCounter counter) {
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("isthmus-request-counter", counter))
                .build();
    }
}
