package dev.isthmus.cli.multicluster;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One link's mirror controller in the source cluster, as {@code isthmus multicluster link} prints it and
 * {@code unlink} deletes it: ServiceAccount, Role/RoleBinding in the Link's namespace (its Link and the
 * status, its credentials Secret, its Lease, Events), ClusterRole/Binding (the mirrored Services and
 * EndpointSlices in any namespace, namespaces to read), and the Deployment running
 * {@code isthmus mirror run --link <link>}, in the gateway Deployment's style.
 */
final class LinkManifests {

    static final String DEFAULT_IMAGE = "isthmus/isthmus:0.1.0";
    /** The mirror's admin port: {@code /live}, {@code /ready}, {@code /metrics}, as Linkerd's service mirror's 9999. */
    static final int ADMIN_PORT = 9999;

    private LinkManifests() {}

    static Map<String, String> labels(String link) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", Names.mirrorController(link));
        labels.put("app.kubernetes.io/part-of", "isthmus");
        labels.put(Names.CLUSTER_NAME_LABEL, link);
        return labels;
    }

    /** In the order {@code kubectl apply} should create them: identity and rights before the workload. */
    static List<HasMetadata> controller(String link, String namespace, String image) {
        String name = Names.mirrorController(link);
        Map<String, String> labels = labels(link);
        String group = Names.LINK_GROUP;
        return List.of(
                new ServiceAccountBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                        .endMetadata().build(),
                new RoleBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                        .withRules(
                                rule(group, List.of(Names.LINK_PLURAL), List.of(), "get", "list", "watch"),
                                rule(group, List.of(Names.LINK_PLURAL + "/status"), List.of(link), "get", "update", "patch"),
                                rule("", List.of("secrets"), List.of(Names.credentialsSecret(link)), "get", "list", "watch"),
                                rule("coordination.k8s.io", List.of("leases"), List.of(), "create"),
                                rule("coordination.k8s.io", List.of("leases"), List.of(name), "get", "update", "patch"),
                                rule("", List.of("events"), List.of(), "create", "patch"),
                                rule("events.k8s.io", List.of("events"), List.of(), "create", "patch"))
                        .build(),
                new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                        .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(namespace).endSubject()
                        .build(),
                new ClusterRoleBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                        .withRules(
                                rule("", List.of("services"), List.of(), "get", "list", "watch", "create", "update", "patch", "delete"),
                                rule("discovery.k8s.io", List.of("endpointslices"), List.of(),
                                        "get", "list", "watch", "create", "update", "patch", "delete"),
                                rule("", List.of("namespaces"), List.of(), "get", "list", "watch", "create"),
                                rule("", List.of("events"), List.of(), "create", "patch"),
                                rule("events.k8s.io", List.of("events"), List.of(), "create", "patch"))
                        .build(),
                new ClusterRoleBindingBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                        .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(namespace).endSubject()
                        .build(),
                deployment(link, namespace, image));
    }

    private static HasMetadata deployment(String link, String namespace, String image) {
        String name = Names.mirrorController(link);
        Map<String, String> labels = labels(link);
        Map<String, String> selector = Map.of("app.kubernetes.io/name", name);
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                // One replica: the Lease makes a second one wait, so more only speed up a takeover.
                .withReplicas(1)
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels)
                .withAnnotations(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", String.valueOf(ADMIN_PORT),
                        "prometheus.io/path", "/metrics"))
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(name)
                .withTerminationGracePeriodSeconds(30L)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L)
                .withFsGroup(65532L).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(new ContainerBuilder()
                        .withName("mirror")
                        .withImage(image)
                        .withImagePullPolicy("IfNotPresent")
                        .withArgs("mirror", "run", "--link=" + link)
                        .addNewPort().withName("admin").withContainerPort(ADMIN_PORT).withProtocol("TCP").endPort()
                        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withPort(new IntOrString("admin"))
                        .endHttpGet().withPeriodSeconds(5).withFailureThreshold(3).endReadinessProbe()
                        // As the gateway's: the startup probe holds off liveness while a JVM on a busy node starts.
                        .withNewStartupProbe().withNewHttpGet().withPath("/live").withPort(new IntOrString("admin"))
                        .endHttpGet().withPeriodSeconds(2).withFailureThreshold(150).endStartupProbe()
                        .withNewLivenessProbe().withNewHttpGet().withPath("/live").withPort(new IntOrString("admin"))
                        .endHttpGet().withPeriodSeconds(10).withFailureThreshold(3).endLivenessProbe()
                        .withNewResources()
                        .withRequests(Map.of("cpu", new Quantity("20m"), "memory", new Quantity("128Mi")))
                        .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("256Mi")))
                        .endResources()
                        .withNewSecurityContext().withRunAsNonRoot(true).withReadOnlyRootFilesystem(true)
                        .withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                        .build())
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("16Mi")).endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static PolicyRule rule(String group, List<String> resources, List<String> names, String... verbs) {
        PolicyRuleBuilder rule = new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs);
        if (!names.isEmpty()) {
            rule.withResourceNames(names);
        }
        return rule.build();
    }
}
