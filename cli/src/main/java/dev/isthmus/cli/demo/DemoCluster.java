package dev.isthmus.cli.demo;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertificateManager;
import dev.isthmus.identity.client.CertificateManager.Backoff;
import dev.isthmus.identity.client.IssuerClient;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.pem.PemFiles.Output;
import dev.isthmus.issuer.IssuerService;
import dev.isthmus.issuer.IssuerServiceConfig;
import dev.isthmus.issuer.StaticTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One cluster of the demo, on loopback: its identity issuer (an intermediate CA under the shared anchor,
 * served over TLS), its gateway, whose certificate comes from that issuer through the certificate
 * manager, and the gateway's metrics.
 */
final class DemoCluster implements AutoCloseable {

    static final String TRUST_DOMAIN = "cluster.local";
    /**
     * Both clusters' gateway, as {@code multicluster install} names it: the ServiceAccount isthmus-gateway of
     * isthmus-multicluster, the same identity in every cluster (as in Linkerd).
     */
    static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    /** Probes often, so the demo's failover shows within a second rather than Linkerd's nine. */
    static final ProbeSettings DEMO_PROBES = new ProbeSettings(Duration.ofMillis(200), Duration.ofMillis(500), 2, 0.1, "/ready");

    final String name;
    final Path dir;
    final IssuerService issuer;
    final int issuerPort;
    final CertificateManager certificates;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TrustAnchors anchors;
    private final SpiffeId identity;
    /** The installation's id: what tells the two gateways apart in Forwarded, kept when the gateway restarts. */
    final GatewayId id = GatewayId.random();
    volatile Gateway gateway;

    DemoCluster(String name, SpiffeId identity, Path root, CertificateAuthority anchor, TrustAnchors anchors) throws Exception {
        this.name = name;
        this.identity = identity;
        this.anchors = anchors;
        this.dir = Files.createDirectories(root.resolve(name));
        Clock clock = Clock.systemUTC();
        CertificateAuthority clusterIssuer = anchor.createIssuer(TRUST_DOMAIN, Duration.ofDays(30), clock);
        String token = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
        PemFiles.write(List.of(Output.certificates(dir.resolve("issuer.crt"), clusterIssuer.chain()),
                Output.key(dir.resolve("issuer.key"), clusterIssuer.key()),
                Output.certificates(dir.resolve("ca-bundle.crt"), anchors.roots()),
                new Output(dir.resolve("tokens"), token + " " + identity + "\n", true),
                new Output(dir.resolve("gateway-token"), token, true)), false);

        IssuerServiceConfig issuerConfig = IssuerServiceConfig.builder().bindAddress("127.0.0.1").port(0)
                .issuerCertificate(dir.resolve("issuer.crt")).issuerKey(dir.resolve("issuer.key"))
                .trustAnchors(dir.resolve("ca-bundle.crt")).trustDomain(TRUST_DOMAIN).build();
        issuer = new IssuerService(issuerConfig, StaticTokens.load(dir.resolve("tokens")), new SimpleMeterRegistry());
        issuerPort = issuer.start();

        IssuerClient client = new IssuerClient(URI.create("https://127.0.0.1:" + issuerPort), issuerConfig.serviceIdentity(),
                anchors, () -> read(dir.resolve("gateway-token")), clock);
        certificates = new CertificateManager(identity, client, Backoff.DEFAULT, clock, registry).start();
        certificates.firstCertificate().get(30, TimeUnit.SECONDS);
        certificates.addListener(key -> {
            Gateway current = gateway;
            if (current != null) {
                current.tls().update(key, anchors);
            }
        });
    }

    /** Starts (or starts again, on the same port) this cluster's gateway with {@code routes}. */
    Gateway startGateway(int inboundPort, RouteTable routes) throws InterruptedException {
        Gateway started = new Gateway(GatewayConfig.builder().identity(identity).id(id).inbound("127.0.0.1", inboundPort)
                .admin("127.0.0.1", 0).outboundHost("127.0.0.1").ioThreads(1).probe(DEMO_PROBES)
                .drainTimeout(Duration.ofSeconds(1)).build(), registry, Clock.systemUTC());
        started.tls().update(certificates.current(), anchors);
        started.routes(routes);
        gateway = started.start();
        return started;
    }

    void stopGateway() {
        Gateway current = gateway;
        gateway = null;
        if (current != null) {
            current.close();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopGateway();
        certificates.close();
        issuer.close();
        registry.close();
    }
}
