package dev.isthmus.cli.multicluster;

import dev.isthmus.cli.install.DeployDirectory;
import dev.isthmus.cli.install.Manifests;
import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The objects of {@code deploy/multicluster}, and of {@code multicluster allow}, for one cluster's settings. */
public final class MulticlusterManifests {

    static final String DIRECTORY = "multicluster";
    static final String ANCHORS_FILE = "root.crt";
    static final String GATEWAY_CONFIG = "isthmus-gateway-config";
    static final String GATEWAY_CONFIG_KEY = "gateway.yaml";
    /** The default remote-access ServiceAccount, ClusterRole and ClusterRoleBinding; {@code allow} makes more. */
    public static final String REMOTE_ACCESS = "isthmus-mirror-remote-access";
    /** On every remote-access object, so {@code uninstall} finds the ones {@code allow} made. */
    static final String REMOTE_ACCESS_LABEL = "app.kubernetes.io/name";
    static final String GATEWAY_IDENTITY_ANNOTATION = "mirror.isthmus.dev/gateway-identity";
    /**
     * The admin port, on the gateway Service for {@code link} to read: the Service no longer publishes it
     * (only mc-gateway is on the LoadBalancer), as Linkerd's Service says its probe path and period.
     */
    static final String PROBE_PORT_ANNOTATION = "mirror.isthmus.dev/probe-port";
    private static final String DEFAULT_TRUST_DOMAIN = "spiffe://cluster.local/";

    /**
     * @param serviceType the gateway Service's type: LoadBalancer, NodePort or ClusterIP
     * @param anchorsPem the trust anchors the gateway verifies peers against
     * @param id the installation's id in Forwarded, shared by its replicas
     * @param keyExchange the key exchanges the gateway offers and accepts; the default writes nothing
     */
    public record Settings(String image, int gatewayPort, int probePort, String serviceType, String trustDomain,
            String anchorsPem, GatewayId id, KeyExchange keyExchange) {}

    private MulticlusterManifests() {}

    public static String defaultImage() {
        return gatewayContainer(DeployDirectory.load(DIRECTORY).objects()).getImage();
    }

    public static List<HasMetadata> objects(Settings settings) {
        DeployDirectory directory = DeployDirectory.load(DIRECTORY);
        List<HasMetadata> objects = new ArrayList<>(directory.objects());
        String identity = Names.gatewayIdentity(settings.trustDomain());

        Service service = Manifests.find(objects, Service.class, Names.GATEWAY);
        service.getSpec().setType(settings.serviceType());
        port(service, Names.GATEWAY_PORT_NAME).setPort(settings.gatewayPort());
        service.getMetadata().getAnnotations().put(GATEWAY_IDENTITY_ANNOTATION, identity);
        service.getMetadata().getAnnotations().put(PROBE_PORT_ANNOTATION, Integer.toString(settings.probePort()));
        port(Manifests.find(objects, Service.class, Names.GATEWAY_ADMIN), Names.ADMIN_PORT_NAME).setPort(settings.probePort());

        Deployment deployment = Manifests.find(objects, Deployment.class, Names.GATEWAY);
        Container container = gatewayContainer(objects);
        container.setImage(settings.image());
        containerPort(container, Names.GATEWAY_PORT_NAME).setContainerPort(settings.gatewayPort());
        containerPort(container, Names.ADMIN_PORT_NAME).setContainerPort(settings.probePort());
        deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .put("prometheus.io/port", Integer.toString(settings.probePort()));

        ConfigMap config = Manifests.find(objects, ConfigMap.class, GATEWAY_CONFIG);
        String gatewayYaml = config.getData().get(GATEWAY_CONFIG_KEY);
        gatewayYaml = replace(gatewayYaml, DEFAULT_TRUST_DOMAIN, "spiffe://" + settings.trustDomain() + "/");
        // deploy/ has no id: one there would be every cluster's, and loop detection needs one per installation.
        gatewayYaml = replace(gatewayYaml, "inbound: {port: " + Names.GATEWAY_PORT + "}",
                "id: " + settings.id() + "\ninbound: {port: " + settings.gatewayPort() + "}");
        gatewayYaml = replace(gatewayYaml, "admin: {port: " + Names.ADMIN_PORT + "}", "admin: {port: " + settings.probePort() + "}");
        if (!settings.keyExchange().groups().isEmpty()) {
            gatewayYaml += "tls: {keyExchange: [" + String.join(", ", settings.keyExchange().groups()) + "]}\n";
        }
        config.getData().put(GATEWAY_CONFIG_KEY, gatewayYaml);

        for (DeployDirectory.Generator generator : directory.generators()) {
            objects.add(Manifests.generate(generator, Map.of(ANCHORS_FILE, settings.anchorsPem())));
        }
        return objects;
    }

    /** Every object {@code objects(…)} prints, for {@code kubectl delete -f -}. */
    public static List<HasMetadata> names() {
        DeployDirectory directory = DeployDirectory.load(DIRECTORY);
        List<HasMetadata> objects = new ArrayList<>(directory.objects());
        Map<String, String> none = new HashMap<>();
        for (DeployDirectory.Generator generator : directory.generators()) {
            generator.files().values().forEach(file -> none.put(file, ""));
            objects.add(Manifests.generate(generator, none));
        }
        return objects;
    }

    /**
     * The remote-access objects for one source cluster: the default ones of {@code remote-access.yaml} renamed
     * to {@code serviceAccount} in {@code namespace}, bound to the same ClusterRole.
     */
    public static List<HasMetadata> allow(String serviceAccount, String namespace) {
        List<HasMetadata> template = DeployDirectory.load(DIRECTORY).objects();
        ServiceAccount account = Manifests.find(template, ServiceAccount.class, REMOTE_ACCESS);
        account.getMetadata().setName(serviceAccount);
        account.getMetadata().setNamespace(namespace);
        ClusterRoleBinding binding = Manifests.find(template, ClusterRoleBinding.class, REMOTE_ACCESS);
        binding.getMetadata().setName(bindingName(serviceAccount, namespace));
        binding.getSubjects().get(0).setName(serviceAccount);
        binding.getSubjects().get(0).setNamespace(namespace);
        return List.of(account, binding);
    }

    static String bindingName(String serviceAccount, String namespace) {
        return REMOTE_ACCESS + "-" + (namespace.equals(Names.MULTICLUSTER_NAMESPACE) ? "" : namespace + "-") + serviceAccount;
    }

    private static Container gatewayContainer(List<HasMetadata> objects) {
        return Manifests.find(objects, Deployment.class, Names.GATEWAY).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static ServicePort port(Service service, String name) {
        return service.getSpec().getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("deploy/: Service " + service.getMetadata().getName()
                        + " has no port " + name));
    }

    private static ContainerPort containerPort(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("deploy/: container " + container.getName() + " has no port " + name));
    }

    /** A textual edit of deploy/'s gateway.yaml that must apply: a template changed under it is a bug, not a no-op. */
    private static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("deploy/multicluster gateway.yaml no longer contains '" + from + "'");
        }
        return text.replace(from, to);
    }
}
