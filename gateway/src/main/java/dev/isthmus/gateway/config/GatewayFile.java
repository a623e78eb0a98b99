package dev.isthmus.gateway.config;

import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.gateway.yaml.YamlNode;
import dev.isthmus.identity.SpiffeId;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The gateway's configuration file, {@code isthmus gateway run --config gateway.yaml}:
 * <pre>
 * identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway   # required
 * id: _isthmus-k3j5w2q7m4xa          # this installation's Forwarded by=, shared by its replicas (loop detection);
 *                                    # default: a random one per process (`multicluster install` writes one)
 * inbound:  {address: 0.0.0.0, port: 4143}
 * admin:    {address: 0.0.0.0, port: 4191}
 * outbound: {address: 0.0.0.0}       # where the listeners of mirrored services and splits bind
 * trustAnchors: /var/run/isthmus/trust-roots/ca-bundle.crt                      # required
 * certificate:                       # either a certificate from files (reloaded when they change) …
 *   cert: /var/run/isthmus/tls/tls.crt
 *   key: /var/run/isthmus/tls/tls.key
 * issuer:                            # … or one from the identity issuer, renewed at 70 % of its life
 *   address: https://isthmus-identity.isthmus.svc.cluster.local:8080
 *   identity: spiffe://cluster.local/ns/isthmus/sa/isthmus-identity
 *   tokenFile: /var/run/secrets/tokens/isthmus-identity-token
 * routes:                           # exactly one of:
 *   file: /etc/isthmus/routes.yaml   # see RouteFile; reloaded when it changes
 *   kubernetes:                      # watched in the gateway's own cluster (docs/kubernetes.md)
 *     kubeconfig: /etc/kube/config   # optional; default: in-cluster, else ~/.kube/config
 *     context: west                  # optional; default: the kubeconfig's current context
 *     clusterDomain: cluster.local
 *     exportSelector: mirror.isthmus.dev/exported=true   # which Services peers may reach
 * policy:                            # who may connect; default: any identity of the trust domain
 *   identities: [spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway]
 *   namespaces: [isthmus-multicluster]
 *   trustDomains: [west.example]
 * limits:   {maxConnections: 50000, ioThreads: 0}
 * timeouts: {handshake: 10s, header: 10s, idle: 5m, connect: 3s, request: 60s, drain: 30s, detect: 1s,
 *            requestHeader: 10s}     # header: a peer's transport header; requestHeader: an HTTP/1 request head
 *                                    # (and the keep-alive gap before it), on every listener
 * probe:    {period: 3s, timeout: 2s, failureThreshold: 3}   # how remote gateways are probed
 * tls:                               # optional
 *   keyExchange: [X25519]            # offered and accepted, most preferred first, inbound and outbound: any of
 *                                    # X25519MLKEM768, X25519, P-256, P-384, P-521; default: the TLS library's list,
 *                                    # the post-quantum hybrid X25519MLKEM768 first
 * </pre>
 */
public record GatewayFile(GatewayConfig config, Path trustAnchors, Path certificate, Path key, IssuerSettings issuer,
        Path routes, KubernetesRoutes kubernetesRoutes) {

    /** Where the gateway gets its certificate when it asks the identity issuer. */
    public record IssuerSettings(URI address, SpiffeId identity, Path tokenFile) {}

    /**
     * Routes from the Kubernetes API of the gateway's own cluster. The selector is checked where it is used
     * (the mirror module parses label selectors); here it is only a non-empty string.
     *
     * @param kubeconfig a kubeconfig file, or {@code null} for the pod's service account (else {@code ~/.kube/config})
     * @param context the kubeconfig context, or {@code null} for its current one
     */
    public record KubernetesRoutes(Path kubeconfig, String context, String clusterDomain, String exportSelector) {
        public static final String DEFAULT_EXPORT_SELECTOR = "mirror.isthmus.dev/exported=true";
    }

    public static GatewayFile parse(String yaml, String source, Path base) {
        YamlNode root = YamlNode.parse(yaml, source);
        root.onlyKeys(Set.of("identity", "id", "inbound", "admin", "outbound", "trustAnchors", "certificate", "issuer", "routes",
                "policy", "limits", "timeouts", "probe", "tls"));
        SpiffeId identity = identity(root.required("identity"));
        GatewayConfig.Builder config = GatewayConfig.builder().identity(identity);
        YamlNode id = root.get("id");
        if (!id.isMissing()) {
            try {
                config.id(GatewayId.parse(id.string()));
            } catch (IllegalArgumentException e) {
                throw id.error(e);
            }
        }

        YamlNode inbound = root.get("inbound").onlyKeys(Set.of("address", "port"));
        config.inbound(inbound.get("address").string("0.0.0.0"), inbound.get("port").port(4143));
        YamlNode admin = root.get("admin").onlyKeys(Set.of("address", "port"));
        config.admin(admin.get("address").string("0.0.0.0"), admin.get("port").port(4191));
        config.outboundHost(root.get("outbound").onlyKeys(Set.of("address")).get("address").string("0.0.0.0"));

        YamlNode policy = root.get("policy").onlyKeys(Set.of("identities", "namespaces", "trustDomains"));
        Set<SpiffeId> identities = new HashSet<>();
        policy.get("identities").list().forEach(node -> identities.add(identity(node)));
        Set<String> namespaces = new HashSet<>();
        policy.get("namespaces").list().forEach(node -> namespaces.add(node.string()));
        Set<String> trustDomains = new HashSet<>();
        policy.get("trustDomains").list().forEach(node -> trustDomains.add(node.string()));
        config.policy(new AuthorizationPolicy(identity.trustDomain(), identities, namespaces, trustDomains));

        YamlNode limits = root.get("limits").onlyKeys(Set.of("maxConnections", "ioThreads"));
        config.maxConnections(limits.get("maxConnections").positiveInt(50_000));
        YamlNode threads = limits.get("ioThreads");
        config.ioThreads(threads.isMissing() ? 0 : threads.positiveInt(1));

        YamlNode timeouts = root.get("timeouts").onlyKeys(Set.of("handshake", "header", "idle", "connect", "request", "drain",
                "detect", "requestHeader"));
        GatewayConfig defaults = GatewayConfig.builder().identity(identity).build();
        config.handshakeTimeout(timeouts.get("handshake").duration(defaults.handshakeTimeout()))
                .headerTimeout(timeouts.get("header").duration(defaults.headerTimeout()))
                .idleTimeout(timeouts.get("idle").duration(defaults.idleTimeout()))
                .connectTimeout(timeouts.get("connect").duration(defaults.connectTimeout()))
                .requestTimeout(timeouts.get("request").duration(defaults.requestTimeout()))
                .drainTimeout(timeouts.get("drain").duration(defaults.drainTimeout()))
                .detectTimeout(timeouts.get("detect").duration(defaults.detectTimeout()))
                .requestHeaderTimeout(timeouts.get("requestHeader").duration(defaults.requestHeaderTimeout()));

        YamlNode probe = root.get("probe").onlyKeys(Set.of("period", "timeout", "failureThreshold"));
        ProbeSettings probeDefaults = ProbeSettings.DEFAULTS;
        try {
            config.probe(new ProbeSettings(probe.get("period").duration(probeDefaults.period()),
                    probe.get("timeout").duration(probeDefaults.timeout()),
                    probe.get("failureThreshold").positiveInt(probeDefaults.failureThreshold()), probeDefaults.jitter(),
                    probeDefaults.path()));
        } catch (IllegalArgumentException e) {
            throw probe.error(e);
        }

        YamlNode keyExchange = root.get("tls").onlyKeys(Set.of("keyExchange")).get("keyExchange");
        if (!keyExchange.isMissing()) {
            try {
                config.keyExchange(KeyExchange.of(keyExchange.list().stream().map(YamlNode::string).toList()));
            } catch (IllegalArgumentException e) {
                throw keyExchange.error(e);
            }
        }

        YamlNode certificate = root.get("certificate").onlyKeys(Set.of("cert", "key"));
        YamlNode issuer = root.get("issuer").onlyKeys(Set.of("address", "identity", "tokenFile"));
        if (certificate.isMissing() == issuer.isMissing()) {
            throw root.error("needs exactly one of 'certificate' (files) and 'issuer' (the identity issuer)");
        }
        Path cert = certificate.isMissing() ? null : path(base, certificate.required("cert"));
        Path key = certificate.isMissing() ? null : path(base, certificate.required("key"));
        IssuerSettings issuerSettings = issuer.isMissing() ? null : new IssuerSettings(uri(issuer.required("address")),
                identity(issuer.required("identity")), path(base, issuer.required("tokenFile")));

        YamlNode routes = root.get("routes").onlyKeys(Set.of("file", "kubernetes"));
        YamlNode routeFile = routes.get("file");
        YamlNode kubernetes = routes.get("kubernetes");
        if (!routes.isMissing() && routeFile.isMissing() == kubernetes.isMissing()) {
            throw routes.error("has " + (routeFile.isMissing() ? "neither" : "both") + " 'file' and 'kubernetes'"
                    + " (expected exactly one)");
        }
        try {
            return new GatewayFile(config.build(), path(base, root.required("trustAnchors")), cert, key, issuerSettings,
                    routeFile.isMissing() ? null : path(base, routeFile), kubernetes.isMissing() ? null : kubernetes(base, kubernetes));
        } catch (IllegalArgumentException e) {
            throw root.error(e);
        }
    }

    private static KubernetesRoutes kubernetes(Path base, YamlNode node) {
        // `kubernetes: {}` takes every default.
        node.onlyKeys(Set.of("kubeconfig", "context", "clusterDomain", "exportSelector"));
        YamlNode kubeconfig = node.get("kubeconfig");
        String domain = node.get("clusterDomain").string("cluster.local");
        if (!domain.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
            throw node.get("clusterDomain").error("'" + domain + "' (expected a DNS domain such as cluster.local)");
        }
        return new KubernetesRoutes(kubeconfig.isMissing() ? null : path(base, kubeconfig), node.get("context").string(null),
                domain, node.get("exportSelector").string(KubernetesRoutes.DEFAULT_EXPORT_SELECTOR));
    }

    private static SpiffeId identity(YamlNode node) {
        try {
            return SpiffeId.parse(node.string());
        } catch (IllegalArgumentException e) {
            throw node.error(e);
        }
    }

    private static URI uri(YamlNode node) {
        try {
            URI uri = URI.create(node.string());
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("'" + uri + "' (expected https://<host>:<port>)");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw node.error(e);
        }
    }

    /** Relative paths are relative to the configuration file's folder. */
    private static Path path(Path base, YamlNode node) {
        return base.resolve(node.string()).normalize();
    }
}
