package dev.isthmus.gateway.config;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.testkit.fuzz.Fuzz;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway's YAML configuration under a seeded mutation fuzzer ({@link Fuzz}): whatever an operator
 * writes, the answer is a configuration or an {@link IllegalArgumentException} that names the field.
 */
class ConfigFuzzTest {

    static final String FULL = """
            identity: spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway
            inbound: {address: 127.0.0.1, port: 14143}
            admin: {port: 14191}
            outbound: {address: 127.0.0.2}
            trustAnchors: ca-bundle.crt
            certificate: {cert: tls/tls.crt, key: /secret/tls.key}
            routes: {file: routes.yaml}
            policy: {namespaces: [isthmus-multicluster], trustDomains: [west.example]}
            limits: {maxConnections: 100, ioThreads: 2}
            timeouts: {handshake: 2s, idle: 1h30m, drain: 500ms, detect: 250ms}
            probe: {period: 1s, failureThreshold: 5}
            """;
    static final String ANCHORS = """
            base: &b {port: 1}
            list: [*b, *b, *b]
            nested: {a: [1, 2, {b: "c"}], d: !!str 3, e: ~, f: 0x1F, g: .inf}
            """;

    @Test
    void gatewayFile() throws Exception {
        Fuzz.target("gateway YAML")
                .seeds(List.of(FULL.getBytes(UTF_8), ANCHORS.getBytes(UTF_8)))
                .dictionary(": ", "\n", "- ", "{", "}", "[", "]", "&a ", "*a", "!!binary ", "!!map ", "<<: ", "? ", "|\n", "'", "\"",
                        "65536", "-1", "1h", "0s", "spiffe://", "port", "identity", "limits")
                .documented(IllegalArgumentException.class)
                .iterations(10_000)
                .maxLength(16 * 1024)
                .run(bytes -> {
                    GatewayFile.parse(new String(bytes, UTF_8), "gateway.yaml", Path.of("/etc/isthmus"));
                    return "valid";
                });
    }
}
