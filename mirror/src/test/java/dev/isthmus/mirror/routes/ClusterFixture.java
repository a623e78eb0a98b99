package dev.isthmus.mirror.routes;

import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** What the Kubernetes ITs share: the CRDs and namespaces a cluster needs, and a recorder of delivered tables. */
public final class ClusterFixture {

    private ClusterFixture() {}

    /** Installs the Link and TrafficSplit CRDs and waits until the API server serves them; creates the namespaces. */
    public static void prepare(KubernetesClient client, String... namespaces) {
        for (String crd : List.of("links.yaml", "trafficsplits.yaml")) {
            try (InputStream in = ClusterFixture.class.getResourceAsStream("/dev/isthmus/mirror/crds/" + crd)) {
                CustomResourceDefinition definition = client.apiextensions().v1().customResourceDefinitions().load(in).item();
                client.apiextensions().v1().customResourceDefinitions().resource(definition).create();
                client.apiextensions().v1().customResourceDefinitions().withName(definition.getMetadata().getName())
                        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                                30, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String namespace : namespaces) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                    .create();
        }
        if (client.namespaces().withName(Names.MULTICLUSTER_NAMESPACE).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Names.MULTICLUSTER_NAMESPACE)
                    .endMetadata().build()).create();
        }
    }

    /** Every table a route source delivered, in order. */
    public static final class Tables implements Consumer<RouteTable> {
        private final List<RouteTable> delivered = new CopyOnWriteArrayList<>();

        @Override
        public void accept(RouteTable table) {
            delivered.add(table);
        }

        public int count() {
            return delivered.size();
        }

        public RouteTable last() {
            return delivered.isEmpty() ? null : delivered.get(delivered.size() - 1);
        }

        /** Waits (bounded) for a delivered table that satisfies {@code condition}, and returns it. */
        public RouteTable await(String what, Predicate<RouteTable> condition) throws InterruptedException {
            return Awaitility.await("a route table with " + what).atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20)).until(this::last, last -> last != null && condition.test(last));
        }
    }
}
