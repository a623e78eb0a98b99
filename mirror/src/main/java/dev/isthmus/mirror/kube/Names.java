package dev.isthmus.mirror.kube;

/**
 * The names Isthmus gives its Kubernetes objects, labels and annotations: one place, so the mirror
 * controller, the gateway's route source, the CLI and {@code deploy/} agree. {@code docs/kubernetes.md}
 * says what each one means and who writes it.
 */
public final class Names {

    // Namespaces and workloads
    public static final String CONTROL_PLANE_NAMESPACE = "isthmus";
    public static final String MULTICLUSTER_NAMESPACE = "isthmus-multicluster";
    public static final String IDENTITY = "isthmus-identity";
    public static final String IDENTITY_ISSUER_SECRET = "isthmus-identity-issuer";
    public static final String TRUST_ROOTS_CONFIG_MAP = "isthmus-identity-trust-roots";
    public static final String TRUST_ROOTS_KEY = "ca-bundle.crt";
    public static final String GATEWAY = "isthmus-gateway";
    public static final String GATEWAY_PORT_NAME = "mc-gateway";
    /**
     * The admin port's name on the gateway's LoadBalancer Service in installations from before
     * {@link #GATEWAY_ADMIN}: read as a fallback, never written.
     */
    public static final String PROBE_PORT_NAME = "mc-probe";
    /**
     * The ClusterIP Service of the gateway's admin port, for readers inside the cluster (the mirror polls
     * {@code /links} through its EndpointSlices). The LoadBalancer Service {@link #GATEWAY} carries only
     * {@link #GATEWAY_PORT_NAME}: the admin port answers plain HTTP to anyone who reaches it.
     */
    public static final String GATEWAY_ADMIN = "isthmus-gateway-admin";
    /**
     * The gateway container's admin port (4191: /ready, /live, /metrics, /links, /tap, /dashboard), and its
     * name on {@link #GATEWAY_ADMIN}, so also in that Service's EndpointSlices.
     */
    public static final String ADMIN_PORT_NAME = "admin";
    public static final int GATEWAY_PORT = 4143;
    public static final int ADMIN_PORT = 4191;
    public static final int IDENTITY_PORT = 8080;

    // The Link
    public static final String LINK_GROUP = "multicluster.isthmus.dev";
    public static final String LINK_VERSION = "v1alpha1";
    public static final String LINK_KIND = "Link";
    public static final String LINK_PLURAL = "links";
    public static final String CREDENTIALS_SECRET_TYPE = "mirror.isthmus.dev/remote-kubeconfig";
    public static final String CREDENTIALS_KEY = "kubeconfig";

    // Export and mirror labels and annotations
    public static final String MIRROR_PREFIX = "mirror.isthmus.dev/";
    public static final String EXPORTED_LABEL = "mirror.isthmus.dev/exported";
    public static final String MIRRORED_SERVICE_LABEL = "mirror.isthmus.dev/mirrored-service";
    public static final String CLUSTER_NAME_LABEL = "mirror.isthmus.dev/cluster-name";
    public static final String REMOTE_FQDN_ANNOTATION = "mirror.isthmus.dev/remote-svc-fq-name";
    public static final String REMOTE_RESOURCE_VERSION_ANNOTATION = "mirror.isthmus.dev/remote-resource-version";
    /** {@code "9898=14000,8080=14001"}: service port = the local gateway's listener port for it. */
    public static final String GATEWAY_PORTS_ANNOTATION = "mirror.isthmus.dev/gateway-ports";
    public static final String PROTOCOL_ANNOTATION = "gateway.isthmus.dev/protocol";

    // EndpointSlices
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String MIRROR_CONTROLLER = "mirror.isthmus.dev";

    // Traffic split
    public static final String SPLIT_GROUP = "split.smi-spec.io";
    public static final String SPLIT_VERSION = "v1alpha1";
    public static final String SPLIT_APEX_LABEL = "split.isthmus.dev/apex";
    /** {@code "9898=14002"} on an apex Service: as {@link #GATEWAY_PORTS_ANNOTATION} on a mirror. */
    public static final String SPLIT_GATEWAY_PORTS_ANNOTATION = "split.isthmus.dev/gateway-ports";
    /** The TrafficSplit (in the apex's namespace) that owns an apex Service. */
    public static final String SPLIT_OWNER_ANNOTATION = "split.isthmus.dev/traffic-split";
    public static final String SPLIT_CONTROLLER = "split.isthmus.dev";
    public static final String SPLIT_LEASE = "isthmus-split";

    /**
     * The field manager of every server-side apply of the mirror and the split controller: one name, so
     * {@code managedFields} says plainly which fields Isthmus owns.
     */
    public static final String FIELD_MANAGER = "isthmus-mirror";

    // Port allocation, leader election
    public static final int DEFAULT_PORT_RANGE_FIRST = 14000;
    public static final int DEFAULT_PORT_RANGE_LAST = 15999;

    private Names() {}

    /** {@code <svc>-<cluster>}: the mirror of a remote Service in the local cluster. */
    public static String mirrorName(String service, String cluster) {
        return service + "-" + cluster;
    }

    /** The Deployment, ServiceAccount and Lease of one link's mirror controller. */
    public static String mirrorController(String link) {
        return "isthmus-mirror-" + link;
    }

    public static String credentialsSecret(String link) {
        return "cluster-credentials-" + link;
    }

    public static String gatewayIdentity(String trustDomain) {
        return "spiffe://" + trustDomain + "/ns/" + MULTICLUSTER_NAMESPACE + "/sa/" + GATEWAY;
    }

    public static String serviceFqdn(String service, String namespace, String clusterDomain) {
        return service + "." + namespace + ".svc." + clusterDomain;
    }
}
