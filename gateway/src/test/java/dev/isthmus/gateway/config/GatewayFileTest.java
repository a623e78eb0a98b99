package dev.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.identity.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayFileTest {

    static final Path BASE = Path.of("/etc/isthmus");

    @Test
    void parsesTheDocumentedSchemaWithPathsRelativeToTheFile() {
        GatewayFile file = GatewayFile.parse("""
                identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                inbound: {address: 127.0.0.1, port: 14143}
                admin: {port: 14191}
                outbound: {address: 127.0.0.2}
                trustAnchors: ca-bundle.crt
                certificate: {cert: tls/tls.crt, key: /secret/tls.key}
                routes: {file: routes.yaml}
                policy: {namespaces: [isthmus-multicluster], trustDomains: [west.example]}
                limits: {maxConnections: 100, ioThreads: 2}
                timeouts: {handshake: 2s, idle: 1h30m, drain: 500ms, detect: 250ms, requestHeader: 3s}
                probe: {period: 1s, failureThreshold: 5}
                """, "gateway.yaml", BASE);

        assertThat(file.config().identity()).isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"));
        assertThat(file.config().inboundHost()).isEqualTo("127.0.0.1");
        assertThat(file.config().inboundPort()).isEqualTo(14143);
        assertThat(file.config().adminHost()).isEqualTo("0.0.0.0");
        assertThat(file.config().adminPort()).isEqualTo(14191);
        assertThat(file.trustAnchors()).isEqualTo(Path.of("/etc/isthmus/ca-bundle.crt"));
        assertThat(file.certificate()).isEqualTo(Path.of("/etc/isthmus/tls/tls.crt"));
        assertThat(file.key()).isEqualTo(Path.of("/secret/tls.key"));
        assertThat(file.issuer()).isNull();
        assertThat(file.routes()).isEqualTo(Path.of("/etc/isthmus/routes.yaml"));
        assertThat(file.config().policy().namespaces()).containsExactly("isthmus-multicluster");
        assertThat(file.config().policy().trustDomains()).containsExactly("west.example");
        assertThat(file.config().maxConnections()).isEqualTo(100);
        assertThat(file.config().ioThreads()).isEqualTo(2);
        assertThat(file.config().handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(file.config().idleTimeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(file.config().drainTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(file.config().headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(file.config().outboundHost()).isEqualTo("127.0.0.2");
        assertThat(file.config().detectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(file.config().requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(file.config().headerTimeout()).as("the transport header's timeout is another").isEqualTo(Duration.ofSeconds(10));
        assertThat(file.config().probe().period()).isEqualTo(Duration.ofSeconds(1));
        assertThat(file.config().probe().failureThreshold()).isEqualTo(5);
        assertThat(file.config().probe().timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void takesItsCertificateFromTheIssuer() {
        GatewayFile file = GatewayFile.parse("""
                identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                trustAnchors: /roots.crt
                issuer:
                  address: https://isthmus-identity.isthmus.svc.cluster.local:8080
                  identity: spiffe://cluster.local/ns/isthmus/sa/isthmus-identity
                  tokenFile: /var/run/secrets/tokens/isthmus-identity-token
                """, "gateway.yaml", BASE);
        assertThat(file.issuer().address()).hasToString("https://isthmus-identity.isthmus.svc.cluster.local:8080");
        assertThat(file.issuer().identity().serviceAccount()).isEqualTo("isthmus-identity");
        assertThat(file.certificate()).isNull();
        assertThat(file.config().inboundPort()).isEqualTo(4143);
        assertThat(file.config().adminPort()).isEqualTo(4191);
        assertThat(file.config().requestHeaderTimeout()).as("the default").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void takesRoutesFromKubernetes() {
        GatewayFile file = GatewayFile.parse("""
                identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                trustAnchors: /roots.crt
                certificate: {cert: a, key: b}
                routes:
                  kubernetes:
                    kubeconfig: kube/config
                    context: west
                    clusterDomain: west.example
                    exportSelector: mirror.linkerd.io/exported=true
                """, "gateway.yaml", BASE);

        assertThat(file.routes()).isNull();
        assertThat(file.kubernetesRoutes()).isEqualTo(new GatewayFile.KubernetesRoutes(Path.of("/etc/isthmus/kube/config"),
                "west", "west.example", "mirror.linkerd.io/exported=true"));
    }

    @Test
    void kubernetesRoutesHaveDefaults() {
        GatewayFile file = GatewayFile.parse("""
                identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                trustAnchors: /roots.crt
                certificate: {cert: a, key: b}
                routes: {kubernetes: {}}
                """, "gateway.yaml", BASE);

        assertThat(file.kubernetesRoutes()).isEqualTo(new GatewayFile.KubernetesRoutes(null, null, "cluster.local",
                "mirror.isthmus.dev/exported=true"));
    }

    @Test
    void takesTheInstallationIdThatItsReplicasShare() {
        String yaml = """
                identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
                id: _isthmus-k3j5w2q7m4xa
                trustAnchors: /roots.crt
                certificate: {cert: a, key: b}
                """;
        assertThat(GatewayFile.parse(yaml, "gateway.yaml", BASE).config().id()).isEqualTo(GatewayId.parse("_isthmus-k3j5w2q7m4xa"));
        assertThat(GatewayFile.parse(yaml, "gateway.yaml", BASE).config().id()).as("a second replica reading the same file")
                .isEqualTo(GatewayId.parse("_isthmus-k3j5w2q7m4xa"));
    }

    /** Only what has no default. */
    static final String MINIMAL = """
            identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
            trustAnchors: /roots.crt
            certificate: {cert: a, key: b}
            """;

    @Test
    void withoutAnIdEachProcessMakesUpItsOwn() {
        GatewayId one = GatewayFile.parse(MINIMAL, "gateway.yaml", BASE).config().id();
        assertThat(one.value()).matches("_isthmus-[a-z2-7]{12}");
        assertThat(GatewayFile.parse(MINIMAL, "gateway.yaml", BASE).config().id()).isNotEqualTo(one);
    }

    @Test
    void takesTheKeyExchangesToOfferInTheirOrderByTheNamesOfBoringSslOrTheJdk() {
        assertThat(GatewayFile.parse(MINIMAL, "gateway.yaml", BASE).config().keyExchange()).isEqualTo(KeyExchange.DEFAULT);
        assertThat(GatewayFile.parse(MINIMAL + "tls: {keyExchange: [x25519, secp384r1, X25519MLKEM768]}\n", "gateway.yaml", BASE)
                .config().keyExchange().groups()).containsExactly("X25519", "P-384", "X25519MLKEM768");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "trustAnchors: /a\\ncertificate: {cert: a, key: b} | gateway.yaml: identity: missing",
        "identity: spiffe://x/y\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b} | identity: identity 'spiffe://x/y' has an unexpected path",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ncertificate: {cert: a, key: b} | trustAnchors: missing",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a | needs exactly one of 'certificate' (files) and 'issuer'",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a} | certificate.key: missing",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ninbound: {port: 99999} | inbound.port: '99999' (expected a port number: 0-65535)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntimeouts: {idle: forever} | timeouts.idle: 'forever' is not a duration",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntimeouts: {idle: 0s} | timeout: PT0S (expected: a positive duration)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nlimits: {maxConnections: -1} | limits.maxConnections: '-1' (expected a positive whole number)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\nissuer: {address: 'http://x:8080', identity: 'spiffe://cluster.local/ns/a/sa/b', tokenFile: t} | issuer.address: 'http://x:8080' (expected https://<host>:<port>)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nlistener: {} | unknown key 'listener'",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nprobe: {period: 0s} | probe: probe period: PT0S (expected: a positive duration)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nroutes: {file: r.yaml, kubernetes: {}} | routes: has both 'file' and 'kubernetes' (expected exactly one)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nroutes: {} | routes: has neither 'file' and 'kubernetes' (expected exactly one)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nroutes: {kubernetes: {namespace: x}} | routes.kubernetes: unknown key 'namespace'",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nroutes: {kubernetes: {clusterDomain: Cluster_Local}} | routes.kubernetes.clusterDomain: 'Cluster_Local' (expected a DNS domain such as cluster.local)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nroutes: {kubernetes: {exportSelector: ''}} | routes.kubernetes.exportSelector: is '' (expected a non-empty string)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nroutes: {kubernetes: [a]} | routes.kubernetes: is a list (expected a mapping)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nid: isthmus-east | id: gateway id: 'isthmus-east' (expected: an RFC 7239 obfuscated identifier",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nid: '_a;by=_b' | id: gateway id: '_a;by=_b' (expected: an RFC 7239 obfuscated identifier",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nid: '' | id: is '' (expected a non-empty string)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\nid: [_a] | id: is a list",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {keyExchange: [X25591]} | tls.keyExchange: 'X25591' (expected X25519MLKEM768, X25519, P-256, P-384 or P-521)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {keyExchange: ['X25519:P-256']} | tls.keyExchange: 'X25519:P-256' (expected X25519MLKEM768",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {keyExchange: X25519} | tls.keyExchange: is 'X25519' (expected a list)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {keyExchange: []} | tls.keyExchange: an empty list (expected at least one of",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {keyExchange: [P-256, secp256r1]} | tls.keyExchange: 'secp256r1' is P-256, which the list already names (expected each once)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {keyExchange: [25519]} | tls.keyExchange[0]: is '25519' (expected a non-empty string)",
        "identity: spiffe://cluster.local/ns/a/sa/b\\ntrustAnchors: /a\\ncertificate: {cert: a, key: b}\\ntls: {groups: [X25519]} | tls: unknown key 'groups'",
    })
    void badFilesSayWhereAndWhatWasExpected(String yaml, String message) {
        assertThatThrownBy(() -> GatewayFile.parse(yaml.replace("\\n", "\n"), "gateway.yaml", BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway.yaml: ")
                .hasMessageContaining(message);
    }
}
