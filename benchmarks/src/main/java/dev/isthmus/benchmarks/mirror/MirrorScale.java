package dev.isthmus.benchmarks.mirror;

import dev.isthmus.mirror.controller.KubeClients;
import dev.isthmus.mirror.controller.MirrorOptions;
import dev.isthmus.mirror.controller.RequestCounter;
import dev.isthmus.mirror.controller.ServiceMirror;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSpec;
import dev.isthmus.mirror.link.RemoteAccess;
import dev.isthmus.testkit.kube.KubeApiServer;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the mirror scales: N exported Services in a real target API server, mirrored into a real source
 * API server. Reports the time to converge (every mirror and its EndpointSlice written) and the API
 * requests the controller made, then the cost of a periodic repair and of a restart, which should write
 * nothing. Not part of the test run:
 *
 * <pre>
 * mvn -o -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.isthmus.benchmarks.mirror.MirrorScale [services=1000]
 * </pre>
 */
public final class MirrorScale {

    private static final String NS = Names.MULTICLUSTER_NAMESPACE;
    private static final int NAMESPACES = 10;

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Logger.getLogger("").setLevel(Level.WARNING);
        Logger.getLogger("dev.isthmus.mirror").setLevel(Level.WARNING);
        KubeApiServer.assumeAvailable();
        // The default /24 holds 254 Services; each side needs one ClusterIP per Service.
        List<String> wideServiceRange = List.of("--service-cluster-ip-range=10.96.0.0/16");
        CompletableFuture<KubeApiServer> eastStarting = CompletableFuture.supplyAsync(
                () -> KubeApiServer.start("east", wideServiceRange));
        try (KubeApiServer west = KubeApiServer.start("west", wideServiceRange); KubeApiServer east = eastStarting.get(90, TimeUnit.SECONDS)) {
            setUp(west, east);
            long t0 = System.nanoTime();
            export(east, west, services);
            System.out.printf("created %d exported Services (+ EndpointSlices) in east in %.1f s%n", services, seconds(t0));

            RequestCounter localRequests = new RequestCounter();
            Duration repair = Duration.ofSeconds(20);
            try (KubernetesClient local = KubeClients.build(Config.fromKubeconfig(Files.readString(west.kubeconfig())),
                    localRequests)) {
                MirrorOptions options = MirrorOptions.defaults("bench").withRepairPeriod(repair);
                long start = System.nanoTime();
                ServiceMirror mirror = new ServiceMirror(local, localRequests, NS, "east", options,
                        new SimpleMeterRegistry()).start();
                awaitMirrors(west, services, Duration.ofMinutes(5));
                double converged = seconds(start);
                awaitIdle(mirror);
                report("initial sync", converged, localRequests.byMethod(), mirror.remoteRequests().byMethod());

                Map<String, Long> localBefore = localRequests.byMethod();
                Map<String, Long> remoteBefore = mirror.remoteRequests().byMethod();
                long repairStart = System.nanoTime();
                Thread.sleep(repair.toMillis() + 2_000);
                awaitIdle(mirror);
                report("one periodic repair (" + repair.toSeconds() + " s period, steady state)", seconds(repairStart),
                        minus(localRequests.byMethod(), localBefore), minus(mirror.remoteRequests().byMethod(), remoteBefore));
                mirror.close();
            }

            RequestCounter restartRequests = new RequestCounter();
            try (KubernetesClient local = KubeClients.build(Config.fromKubeconfig(Files.readString(west.kubeconfig())),
                    restartRequests)) {
                long start = System.nanoTime();
                ServiceMirror mirror = new ServiceMirror(local, restartRequests, NS, "east",
                        MirrorOptions.defaults("bench-2").withRepairPeriod(Duration.ofMinutes(10)),
                        new SimpleMeterRegistry()).start();
                while (mirror.controller() == null || !mirror.controller().mirroring()) {
                    Thread.sleep(20);
                }
                awaitIdle(mirror);
                report("restart (resync, no changes expected)", seconds(start), restartRequests.byMethod(),
                        mirror.remoteRequests().byMethod());
                mirror.close();
            }
        }
        System.exit(0);
    }

    private static void setUp(KubeApiServer west, KubeApiServer east) throws Exception {
        KubernetesClient w = west.client();
        try (InputStream crd = Link.class.getResourceAsStream("/dev/isthmus/mirror/crds/links.yaml")) {
            CustomResourceDefinition definition = w.apiextensions().v1().customResourceDefinitions().load(crd).item();
            w.apiextensions().v1().customResourceDefinitions().resource(definition).create();
            w.apiextensions().v1().customResourceDefinitions().withName(definition.getMetadata().getName())
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType())),
                            30, TimeUnit.SECONDS);
        }
        namespace(w, NS);
        w.discovery().v1().endpointSlices().inNamespace(NS).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(Names.GATEWAY + "-1").addToLabels(Names.SERVICE_NAME_LABEL, Names.GATEWAY)
                .endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName(Names.GATEWAY_PORT_NAME).withPort(4143).endPort().build()).create();
        w.secrets().inNamespace(NS).resource(RemoteAccess.credentialsSecret("east", NS,
                Files.readString(east.kubeconfig()))).create();
        Link link = new Link();
        link.setMetadata(new ObjectMetaBuilder().withName("east").withNamespace(NS).build());
        LinkSpec spec = new LinkSpec();
        spec.targetClusterName = "east";
        spec.clusterCredentialsSecret = Names.credentialsSecret("east");
        spec.gatewayIdentity = Names.gatewayIdentity("cluster.local");
        spec.gatewayAddress = "203.0.113.7";
        spec.selector = new LabelSelectorBuilder().addToMatchLabels(Names.EXPORTED_LABEL, "true").build();
        link.setSpec(spec);
        w.resources(Link.class).inNamespace(NS).resource(link).create();
    }

    private static void export(KubeApiServer east, KubeApiServer west, int services) throws Exception {
        for (int n = 0; n < NAMESPACES; n++) {
            namespace(east.client(), "bench-" + n);
            namespace(west.client(), "bench-" + n);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> creating = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            String ns = "bench-" + (i % NAMESPACES);
            String name = "svc-" + i;
            creating.add(CompletableFuture.runAsync(() -> {
                east.client().services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(name)
                        .addToLabels(Names.EXPORTED_LABEL, "true").addToLabels("app", name).endMetadata()
                        .withNewSpec().addToSelector("app", name)
                        .addNewPort().withName("http").withPort(8080).endPort()
                        .addNewPort().withName("grpc").withPort(9090).endPort().endSpec().build()).create();
                east.client().discovery().v1().endpointSlices().inNamespace(ns).resource(new EndpointSliceBuilder()
                        .withNewMetadata().withName(name + "-1").addToLabels(Names.SERVICE_NAME_LABEL, name).endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint().withAddresses("10.42.0.1").withNewConditions().withReady(true).endConditions()
                        .endEndpoint().addNewPort().withName("http").withPort(8080).endPort().build()).create();
            }, pool));
        }
        CompletableFuture.allOf(creating.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        pool.shutdown();
    }

    private static void awaitMirrors(KubeApiServer west, int services, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            int slices = west.client().discovery().v1().endpointSlices().inAnyNamespace()
                    .withLabel(Names.CLUSTER_NAME_LABEL, "east").list().getItems().size();
            if (slices >= services) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("mirrors did not converge within " + timeout);
    }

    private static void awaitIdle(ServiceMirror mirror) throws InterruptedException {
        int quiet = 0;
        while (quiet < 10) {
            quiet = mirror.controller() != null && mirror.controller().idle() ? quiet + 1 : 0;
            Thread.sleep(100);
        }
    }

    private static void report(String phase, double seconds, Map<String, Long> local, Map<String, Long> remote) {
        long localTotal = local.values().stream().mapToLong(Long::longValue).sum();
        long remoteTotal = remote.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("%-55s %6.2f s   requests: local %5d %s   target %4d %s%n", phase, seconds,
                localTotal, local, remoteTotal, remote);
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> difference = new java.util.TreeMap<>();
        after.forEach((method, count) -> {
            long d = count - before.getOrDefault(method, 0L);
            if (d != 0) {
                difference.put(method, d);
            }
        });
        return difference;
    }

    private static void namespace(KubernetesClient client, String name) {
        if (client.namespaces().withName(name).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                    .create();
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
