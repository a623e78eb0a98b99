package dev.isthmus.mirror.controller;

import static dev.isthmus.mirror.controller.TwoClusters.LINK;
import static dev.isthmus.mirror.controller.TwoClusters.NS;
import static dev.isthmus.mirror.controller.TwoClusters.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.mirror.desired.GatewayPorts;
import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mirror controller against two real API servers. The servers are shared (starting them is the
 * expensive part); every case starts its own controller, gets the Link back if an earlier case deleted it,
 * and works in namespaces of its own, so any case passes alone and in any order.
 */
@Timeout(300)
class MirrorControllerIT {

    private static final Duration SOON = Duration.ofSeconds(20);
    private static final AtomicInteger REPLICAS = new AtomicInteger();

    private static TwoClusters clusters;
    private static KubernetesClient west;
    private static KubernetesClient east;
    /** This case's leading replica; a case that hands over to another replica puts that one here. */
    private ServiceMirror mirror;
    /** The metrics of the mirror started last. */
    private SimpleMeterRegistry registry;

    @BeforeAll
    static void startClusters() throws Exception {
        clusters = TwoClusters.start();
        west = clusters.west.client();
        east = clusters.east.client();
    }

    @BeforeEach
    void startMirror() {
        // Undo what an earlier case may have left behind: a stopped target, a dead gateway, no Link.
        clusters.east.startApiServer();
        clusters.linksJson = TwoClusters.links(true);
        if (clusters.currentLink() == null) {
            west.resources(Link.class).inNamespace(NS).resource(TwoClusters.link()).create();
        }
        mirror = startMirror("replica-" + REPLICAS.incrementAndGet());
        ServiceMirror leader = mirror;
        await(SOON, "the replica leads and mirrors", () -> leader.controller() != null && leader.controller().mirroring());
    }

    private ServiceMirror startMirror(String identity) {
        MirrorOptions options = MirrorOptions.defaults(identity)
                .withRepairPeriod(Duration.ofSeconds(2))
                .withHealthPeriod(Duration.ofMillis(300))
                // Campaigns every 200 ms (not 2 s) so the replica each case starts leads at once.
                .withLease(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofMillis(200))
                .withGatewayAdminUrl(clusters.adminOverride());
        registry = new SimpleMeterRegistry();
        return new ServiceMirror(west, new RequestCounter(), NS, LINK, options, registry).start();
    }

    @AfterEach
    void stopMirror() {
        if (mirror != null) {
            mirror.close();
        }
    }

    @AfterAll
    static void stopClusters() {
        if (clusters != null) {
            clusters.close();
        }
    }

    /** Namespaces of this case's own in both clusters, and one exported Service whose mirror exists. */
    private static void exported(String namespace, String name, int... ports) {
        TwoClusters.namespace(clusters.east, namespace);
        TwoClusters.namespace(clusters.west, namespace);
        clusters.export(namespace, name, ports);
        await(SOON, name + "-east exists with its slice", () -> clusters.mirrorSlice(namespace, name) != null);
    }

    @Test
    void anExportedServiceIsMirroredWithItsPortsLabelsAndTheGatewayAsEndpoints() {
        TwoClusters.namespace(clusters.east, "shop");
        TwoClusters.namespace(clusters.west, "shop");
        Service remote = clusters.export("shop", "podinfo", 9898, 8080);

        await(SOON, "podinfo-east exists with its slice", () -> clusters.mirrorSlice("shop", "podinfo") != null);

        Service mirrored = clusters.mirror("shop", "podinfo");
        assertThat(mirrored.getMetadata().getLabels()).containsEntry("app", "podinfo")
                .containsEntry(Names.MIRRORED_SERVICE_LABEL, "true").containsEntry(Names.CLUSTER_NAME_LABEL, LINK)
                .doesNotContainKeys(Names.EXPORTED_LABEL, "team.example.com/owner");
        assertThat(mirrored.getMetadata().getAnnotations()).containsEntry("docs", "https://example.com/podinfo")
                .containsEntry(Names.REMOTE_FQDN_ANNOTATION, "podinfo.shop.svc.cluster.local")
                .containsEntry(Names.REMOTE_RESOURCE_VERSION_ANNOTATION, remote.getMetadata().getResourceVersion())
                .doesNotContainKey("secret-annotation");
        assertThat(mirrored.getSpec().getSelector()).isNullOrEmpty();
        Map<Integer, Integer> ports = GatewayPorts.parse(
                mirrored.getMetadata().getAnnotations().get(Names.GATEWAY_PORTS_ANNOTATION));
        assertThat(ports).containsOnlyKeys(9898, 8080);
        assertThat(ports.values()).allSatisfy(port -> assertThat(port).isBetween(14000, 15999)).doesNotHaveDuplicates();
        assertThat(mirrored.getSpec().getPorts()).extracting(ServicePort::getPort, p -> p.getTargetPort().getIntVal())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(9898, ports.get(9898)),
                        org.assertj.core.groups.Tuple.tuple(8080, ports.get(8080)));

        EndpointSlice slice = clusters.mirrorSlice("shop", "podinfo");
        // Written by server-side apply under one field manager, so managedFields says which fields are the mirror's.
        assertThat(mirrored.getMetadata().getManagedFields()).anySatisfy(entry -> {
            assertThat(entry.getManager()).isEqualTo(Names.FIELD_MANAGER);
            assertThat(entry.getOperation()).isEqualTo("Apply");
        });
        assertThat(slice.getMetadata().getManagedFields()).anySatisfy(entry -> {
            assertThat(entry.getManager()).isEqualTo(Names.FIELD_MANAGER);
            assertThat(entry.getOperation()).isEqualTo("Apply");
        });
        assertThat(slice.getEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getAddresses()).containsExactly(TwoClusters.GATEWAY_IP);
            assertThat(endpoint.getConditions().getReady()).isTrue();
        });
        assertThat(slice.getPorts()).extracting(p -> p.getName() + "=" + p.getPort())
                .containsExactlyInAnyOrder("p9898=" + ports.get(9898), "p8080=" + ports.get(8080));

        await(SOON, "the Link's status says podinfo is mirrored", () -> serviceCondition("shop/podinfo")
                .map(c -> "True".equals(c.status) && "Mirrored".equals(c.reason)).orElse(false));
    }

    @Test
    void aPortChangePropagatesAndKeepsTheOtherPortsAllocation() {
        TwoClusters.namespace(clusters.east, "ports");
        TwoClusters.namespace(clusters.west, "ports");
        clusters.export("ports", "api", 80, 443);
        await(SOON, "api-east exists", () -> clusters.mirrorSlice("ports", "api") != null);
        Map<Integer, Integer> before = gatewayPorts(clusters.mirror("ports", "api"));

        east.services().inNamespace("ports").withName("api").edit(s -> new ServiceBuilder(s).editSpec()
                .withPorts(new ServicePortBuilder().withName("p443").withPort(443).build(),
                        new ServicePortBuilder().withName("p9090").withPort(9090).build()).endSpec().build());

        await(SOON, "api-east has ports 443 and 9090", () -> {
            Service m = clusters.mirror("ports", "api");
            return m.getSpec().getPorts().stream().map(ServicePort::getPort).toList().equals(List.of(443, 9090));
        });
        Map<Integer, Integer> after = gatewayPorts(clusters.mirror("ports", "api"));
        assertThat(after.get(443)).isEqualTo(before.get(443));
        assertThat(after.get(9090)).isNotEqualTo(after.get(443));
        await(SOON, "the slice follows the ports", () -> clusters.mirrorSlice("ports", "api").getPorts().stream()
                .map(p -> p.getPort()).sorted().toList().equals(after.values().stream().sorted().toList()));
    }

    @Test
    void aPortATrafficSplitApexHoldsIsNotGivenToAMirror() {
        TwoClusters.namespace(clusters.east, "split");
        TwoClusters.namespace(clusters.west, "split");
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        west.services().inAnyNamespace().withLabel(Names.MIRRORED_SERVICE_LABEL, "true").list().getItems()
                .forEach(m -> taken.addAll(gatewayPorts(m).values()));
        int lowestFree = 14000;
        while (taken.contains(lowestFree)) {
            lowestFree++;
        }
        west.services().inNamespace("split").resource(new ServiceBuilder().withNewMetadata().withName("podinfo-split")
                .addToLabels(Names.SPLIT_APEX_LABEL, "true")
                .addToAnnotations(Names.SPLIT_GATEWAY_PORTS_ANNOTATION, "9898=" + lowestFree).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(9898).endPort().endSpec().build()).create();

        clusters.export("split", "podinfo", 9898);
        await(SOON, "podinfo-east exists", () -> clusters.mirrorSlice("split", "podinfo") != null);

        assertThat(gatewayPorts(clusters.mirror("split", "podinfo")).get(9898))
                .as("the apex's port %d stays the apex's", lowestFree).isNotEqualTo(lowestFree);
    }

    @Test
    void removingTheExportLabelDeletesTheMirror() {
        TwoClusters.namespace(clusters.east, "gone");
        TwoClusters.namespace(clusters.west, "gone");
        clusters.export("gone", "web", 80);
        await(SOON, "web-east exists", () -> clusters.mirrorSlice("gone", "web") != null);

        east.services().inNamespace("gone").withName("web").edit(s -> new ServiceBuilder(s).editMetadata()
                .removeFromLabels(Names.EXPORTED_LABEL).endMetadata().build());

        await(SOON, "web-east and its slice are deleted",
                () -> clusters.mirror("gone", "web") == null && clusters.mirrorSlice("gone", "web") == null);
        await(SOON, "the Link's status forgets gone/web", () -> serviceCondition("gone/web").isEmpty());
        assertThat(east.services().inNamespace("gone").withName("web").get()).isNotNull();
    }

    @Test
    void aMissingNamespaceIsSkippedWithAConditionAndAnEventThenMirroredWhenItAppears() {
        TwoClusters.namespace(clusters.east, "nowhere");
        clusters.export("nowhere", "orphan", 80);

        await(SOON, "the condition says MissingNamespace", () -> serviceCondition("nowhere/orphan")
                .map(c -> "False".equals(c.status) && "MissingNamespace".equals(c.reason)).orElse(false));
        await(SOON, "an Event ServiceMirroringSkipped on the Link", () -> west.v1().events().inNamespace(NS).list()
                .getItems().stream().anyMatch(e -> "ServiceMirroringSkipped".equals(e.getReason())
                        && e.getMessage().contains("namespace nowhere does not exist")
                        && LINK.equals(e.getInvolvedObject().getName())
                        && Names.LINK_KIND.equals(e.getInvolvedObject().getKind())));
        assertThat(clusters.mirror("nowhere", "orphan")).isNull();

        TwoClusters.namespace(clusters.west, "nowhere");
        await(SOON, "orphan-east appears once the namespace exists", () -> clusters.mirrorSlice("nowhere", "orphan") != null);
        await(SOON, "the condition says Mirrored", () -> serviceCondition("nowhere/orphan")
                .map(c -> "Mirrored".equals(c.reason)).orElse(false));
    }

    @Test
    void hostileServicesAreSkippedNotCrashedOn() {
        TwoClusters.namespace(clusters.east, "hostile");
        TwoClusters.namespace(clusters.west, "hostile");
        clusters.export("hostile", "a".repeat(60), 80);
        clusters.export("hostile", "fine", 80);
        // A malformed allocation record on an existing mirror: reallocated, not a crash.
        await(SOON, "fine-east exists", () -> clusters.mirrorSlice("hostile", "fine") != null);
        west.services().inNamespace("hostile").withName("fine-" + LINK).edit(s -> new ServiceBuilder(s).editMetadata()
                .addToAnnotations(Names.GATEWAY_PORTS_ANNOTATION, "80=banana").endMetadata().build());

        await(SOON, "the long name is InvalidService", () -> serviceCondition("hostile/" + "a".repeat(60))
                .map(c -> "InvalidService".equals(c.reason) && c.message.contains("at most 63")).orElse(false));
        await(SOON, "fine-east has a well-formed allocation again", () -> {
            String annotation = clusters.mirror("hostile", "fine").getMetadata().getAnnotations()
                    .get(Names.GATEWAY_PORTS_ANNOTATION);
            return annotation.matches("80=1[45][0-9]{3}");
        });
    }

    @Test
    void aDeadLinkMakesItsMirrorsNotReadyAndTheStatusSaysSo() {
        exported("dead", "podinfo", 9898);
        clusters.linksJson = TwoClusters.links(false);
        await(SOON, "podinfo-east's endpoints are not ready", () -> clusters.mirrorSlice("dead", "podinfo")
                .getEndpoints().stream().noneMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady())));
        await(SOON, "status.gateway.alive is false", () -> {
            LinkStatus status = clusters.currentLink().getStatus();
            return status != null && status.gateway != null && Boolean.FALSE.equals(status.gateway.alive)
                    && "connect timed out".equals(status.gateway.lastError);
        });

        clusters.linksJson = TwoClusters.links(true);
        await(SOON, "podinfo-east's endpoints are ready again", () -> clusters.mirrorSlice("dead", "podinfo")
                .getEndpoints().stream().allMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady())));
        await(SOON, "status.gateway.alive is true", () -> Boolean.TRUE.equals(clusters.currentLink().getStatus().gateway.alive));
    }

    @Test
    void gatewayAliveIsOneOnlyWhileALocalGatewayAnswersAlive() {
        clusters.linksJson = TwoClusters.links(true);
        await(SOON, "gateway_alive is 1", () -> gatewayAlive() == 1);

        clusters.linksJson = null;
        await(SOON, "gateway_alive is 0 while no gateway answers", () -> gatewayAlive() == 0);

        clusters.linksJson = TwoClusters.links(true);
        await(SOON, "gateway_alive is 1 once a gateway answers again", () -> gatewayAlive() == 1);

        clusters.linksJson = TwoClusters.links(false);
        await(SOON, "gateway_alive is 0 while the gateways say the link is dead", () -> gatewayAlive() == 0);

        clusters.linksJson = TwoClusters.links(true);
        await(SOON, "gateway_alive is 1 again", () -> gatewayAlive() == 1);
    }

    private double gatewayAlive() {
        return registry.get("gateway_alive").tag("target_cluster_name", LINK).gauge().value();
    }

    @Test
    void aRemoteServiceWithoutReadyEndpointsHasANotReadyMirror() {
        exported("unready", "podinfo", 9898);
        east.discovery().v1().endpointSlices().inNamespace("unready").withName("podinfo-xyz").edit(s -> {
            s.getEndpoints().get(0).getConditions().setReady(false);
            return s;
        });
        await(SOON, "podinfo-east is not ready", () -> clusters.mirrorSlice("unready", "podinfo").getEndpoints().stream()
                .noneMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady())));
        east.discovery().v1().endpointSlices().inNamespace("unready").withName("podinfo-xyz").edit(s -> {
            s.getEndpoints().get(0).getConditions().setReady(true);
            return s;
        });
        await(SOON, "podinfo-east is ready", () -> clusters.mirrorSlice("unready", "podinfo").getEndpoints().stream()
                .allMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady())));
    }

    @Test
    void theGatewayAddressFollowsTheTargetsLoadBalancerIntoTheLinkStatus() {
        setLoadBalancer("203.0.113.7");
        await(SOON, "status.gatewayAddresses is [203.0.113.7]",
                () -> List.of("203.0.113.7").equals(clusters.currentLink().getStatus().gatewayAddresses));
        setLoadBalancer("203.0.113.8", "gw.east.example");
        await(SOON, "status.gatewayAddresses follows the change",
                () -> List.of("203.0.113.8", "gw.east.example").equals(clusters.currentLink().getStatus().gatewayAddresses));
    }

    private static void setLoadBalancer(String... addresses) {
        Service gateway = east.services().inNamespace(NS).withName(Names.GATEWAY).get();
        List<io.fabric8.kubernetes.api.model.LoadBalancerIngress> ingress = new ArrayList<>();
        for (String address : addresses) {
            ingress.add(address.matches("[0-9.]+") ? new LoadBalancerIngressBuilder().withIp(address).build()
                    : new LoadBalancerIngressBuilder().withHostname(address).build());
        }
        gateway.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                .withIngress(ingress).endLoadBalancer().build());
        east.services().inNamespace(NS).resource(gateway).updateStatus();
    }

    @Test
    void theLinksCredentialsCanReadWhatTheMirrorNeedsAndCannotWrite() {
        exported("creds", "podinfo", 9898);
        try (KubernetesClient remote = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(clusters.remoteKubeconfig)).build()) {
            assertThat(remote.services().inAnyNamespace().withLabel(Names.EXPORTED_LABEL, "true").list().getItems())
                    .isNotEmpty();
            assertThat(remote.discovery().v1().endpointSlices().inAnyNamespace().list().getItems()).isNotEmpty();
            List<String> seen = new CopyOnWriteArrayList<>();
            try (Watch watch = remote.services().inNamespace("creds").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Service resource) {
                    seen.add(resource.getMetadata().getName());
                }

                @Override
                public void onClose(WatcherException cause) {}
            })) {
                await(SOON, "the watch delivers", () -> seen.contains("podinfo"));
            }
            assertThatThrownBy(() -> remote.services().inNamespace("creds").resource(new ServiceBuilder()
                    .withNewMetadata().withName("intruder").endMetadata()
                    .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> remote.services().inNamespace("creds").withName("podinfo").delete())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> remote.secrets().inNamespace(NS).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    @Test
    void aRestartedControllerChangesNothing() {
        exported("restart", "podinfo", 9898, 8080);
        awaitQuiet(mirror);
        Map<String, String> before = mirrorVersions();

        mirror.close();
        ServiceMirror restarted = startMirror("replica-" + REPLICAS.incrementAndGet());
        mirror = restarted;
        await(SOON, "the new replica leads and mirrors", () -> restarted.controller() != null && restarted.controller().mirroring());
        awaitQuiet(mirror);
        sleep(Duration.ofSeconds(3)); // past a repair
        awaitQuiet(mirror);

        assertThat(mirrorVersions()).isEqualTo(before);
    }

    @Test
    void twoReplicasNeverFightAndTheSecondTakesOverWhenTheFirstStops() {
        exported("takeover", "podinfo", 9898);
        awaitQuiet(mirror);
        String first = "replica-" + REPLICAS.get();
        String secondIdentity = "replica-" + REPLICAS.incrementAndGet();
        ServiceMirror second = startMirror(secondIdentity);
        try {
            Map<String, String> before = mirrorVersions();
            sleep(Duration.ofSeconds(3)); // time for the second replica to campaign; it must not win
            assertThat(second.leading()).isFalse();
            assertThat(mirror.leading()).isTrue();
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(first);

            mirror.close();
            await(SOON, "replica-b leads", () -> second.controller() != null && second.controller().mirroring());
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(secondIdentity);
            awaitQuiet(second);
            assertThat(mirrorVersions()).isEqualTo(before);

            clusters.export("takeover", "cart", 7000);
            await(SOON, "replica-b mirrors a new export", () -> clusters.mirrorSlice("takeover", "cart") != null);
        } finally {
            mirror.close();
            mirror = second;
        }
    }

    @Test
    void aTargetThatGoesDownLeavesTheMirrorsAloneAndIsResyncedWhenBack() {
        exported("down", "cart", 7000);
        awaitQuiet(mirror);
        Map<String, String> before = mirrorVersions();

        clusters.east.stopApiServer();
        sleep(Duration.ofSeconds(5)); // two repairs against a dead target
        assertThat(mirrorVersions()).isEqualTo(before);
        await(SOON, "the Link says the target is unreachable", () -> clusters.currentLink().getStatus().conditions
                .stream().anyMatch(c -> "Ready".equals(c.type) && "TargetUnreachable".equals(c.reason)));

        clusters.east.startApiServer();
        east.services().inNamespace("down").withName("cart").delete();
        clusters.export("down", "checkout", 7001);
        await(Duration.ofSeconds(60), "the mirror resyncs: checkout-east appears, cart-east goes",
                () -> clusters.mirrorSlice("down", "checkout") != null && clusters.mirror("down", "cart") == null);
        await(SOON, "the Link is Ready again", () -> clusters.currentLink().getStatus().conditions
                .stream().anyMatch(c -> "Ready".equals(c.type) && "True".equals(c.status)));
    }

    @Test
    void unlinkingRemovesEveryMirrorOfTheLinkAndNothingElse() {
        exported("unlink", "podinfo", 9898);
        exported("unlink-too", "api", 80);
        // Bystanders: a plain Service, and a mirror of another link.
        west.services().inNamespace("unlink").resource(new ServiceBuilder().withNewMetadata().withName("local-only")
                .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        west.services().inNamespace("unlink").resource(new ServiceBuilder().withNewMetadata().withName("podinfo-north")
                .addToLabels(Names.MIRRORED_SERVICE_LABEL, "true").addToLabels(Names.CLUSTER_NAME_LABEL, "north")
                .endMetadata().withNewSpec().addNewPort().withPort(80).withTargetPort(new IntOrString(15000)).endPort()
                .endSpec().build()).create();
        assertThat(ownedServices()).isNotEmpty();

        west.resources(Link.class).inNamespace(NS).withName(LINK).delete();
        await(SOON, "the controller stops with the Link", () -> mirror.controller() == null);
        MirrorCleanup.Removed removed = MirrorCleanup.unlink(west, LINK);

        assertThat(removed.services()).contains("unlink/podinfo-east", "unlink-too/api-east");
        assertThat(ownedServices()).isEmpty();
        assertThat(west.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(Names.CLUSTER_NAME_LABEL, LINK).list().getItems()).isEmpty();
        assertThat(west.services().inNamespace("unlink").withName("local-only").get()).isNotNull();
        assertThat(west.services().inNamespace("unlink").withName("podinfo-north").get()).isNotNull();
        assertThat(west.discovery().v1().endpointSlices().inNamespace(NS).withName(Names.GATEWAY + "-abcde").get())
                .isNotNull();
        assertThat(east.services().inNamespace("unlink").withName("podinfo").get()).isNotNull();
    }

    private static List<Service> ownedServices() {
        return west.services().inAnyNamespace().withLabel(Names.MIRRORED_SERVICE_LABEL, "true")
                .withLabel(Names.CLUSTER_NAME_LABEL, LINK).list().getItems();
    }

    private static Map<String, String> mirrorVersions() {
        List<HasMetadata> objects = new ArrayList<>(ownedServices());
        objects.addAll(west.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(Names.CLUSTER_NAME_LABEL, LINK).list().getItems());
        return TwoClusters.versions(objects);
    }

    private static Lease lease() {
        return west.leases().inNamespace(NS).withName(Names.mirrorController(LINK)).get();
    }

    private static void awaitQuiet(ServiceMirror replica) {
        await(SOON, "the controller is idle", () -> replica.controller() != null && replica.controller().mirroring()
                && replica.controller().idle());
        // Idle once may be the gap between two events; idle again after a pause is quiet.
        sleep(Duration.ofMillis(500));
        await(SOON, "the controller is idle", () -> replica.controller().idle());
    }

    private static Map<Integer, Integer> gatewayPorts(Service mirrored) {
        return GatewayPorts.parse(mirrored.getMetadata().getAnnotations().get(Names.GATEWAY_PORTS_ANNOTATION));
    }

    private static java.util.Optional<LinkStatus.Condition> serviceCondition(String key) {
        Link link = clusters.currentLink();
        if (link == null || link.getStatus() == null || link.getStatus().mirrorServices == null) {
            return java.util.Optional.empty();
        }
        return link.getStatus().mirrorServices.stream()
                .filter(s -> s.remoteRef != null && key.equals(s.remoteRef.namespace + "/" + s.remoteRef.name))
                .flatMap(s -> s.conditions.stream()).filter(c -> Objects.equals(c.type, "Mirrored")).findFirst();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
