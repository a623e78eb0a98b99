package dev.isthmus.cli.identity;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.issuer.IssuerService;
import dev.isthmus.issuer.IssuerServiceConfig;
import dev.isthmus.issuer.StaticTokens;
import dev.isthmus.issuer.TokenReviewer;
import dev.isthmus.issuer.TokenVerifier;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus identity run}: serves {@code POST /v1/certify} over TLS until SIGTERM, verifying tokens
 * through the Kubernetes TokenReview API or against a static token file.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the identity issuer service until terminated.")
public final class IdentityRunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--address", defaultValue = IssuerServiceConfig.DEFAULT_BIND_ADDRESS,
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--issuer-certificate", required = true, description = "The issuer's certificate (reloaded when it changes).")
    Path issuerCertificate;

    @Option(names = "--issuer-key", required = true, description = "The issuer's private key (reloaded when it changes).")
    Path issuerKey;

    @Option(names = "--trust-anchors", required = true, description = "PEM bundle of trust anchors the issuer must chain to.")
    Path trustAnchors;

    @Option(names = "--trust-domain", defaultValue = SpiffeId.DEFAULT_TRUST_DOMAIN,
            description = "Trust domain of the identities issued (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(names = "--identity", description = "The service's own identity, on its TLS certificate"
            + " (default: spiffe://<trust-domain>/ns/isthmus/sa/isthmus-identity).")
    String identity;

    @Option(names = "--leaf-lifetime", defaultValue = "24h", description = "Lifetime of issued certificates (default: ${DEFAULT-VALUE}).")
    Duration leafLifetime;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Tokens tokens;

    static final class Tokens {
        @Option(names = "--token-file", description = "Static tokens, one '<token> <spiffe-id>' per line (demo, non-Kubernetes).")
        Path file;

        @Option(names = "--kubernetes", description = "Verify tokens with the Kubernetes TokenReview API of the cluster"
                + " --kubeconfig/--context choose (default: in-cluster, else the kubeconfig's current context).")
        boolean kubernetes;
    }

    @Option(names = "--token-audience", split = ",", description = "Audiences a Kubernetes token must carry (default: identity.isthmus.dev).")
    List<String> audiences = TokenReviewer.DEFAULT_AUDIENCES;

    @Override
    public Integer call() throws InterruptedException {
        IssuerServiceConfig.Builder config = IssuerServiceConfig.builder()
                .bindAddress(address).port(port)
                .issuerCertificate(issuerCertificate).issuerKey(issuerKey).trustAnchors(trustAnchors)
                .trustDomain(trustDomain).leafLifetime(leafLifetime);
        if (identity != null) {
            config.serviceIdentity(SpiffeId.parse(identity));
        }
        KubernetesClient kubernetes = null;
        TokenVerifier verifier;
        if (tokens.file != null) {
            verifier = StaticTokens.load(tokens.file);
        } else {
            // The cluster --kubeconfig/--context name (else in-cluster, else ~/.kube/config). A token review blocks a
            // verifier thread: fail fast rather than retry for minutes.
            Config kube = new ConfigBuilder(KubeOptions.of(spec).config()).withRequestRetryBackoffLimit(1)
                    .withConnectionTimeout(3_000).withRequestTimeout(5_000).build();
            kubernetes = new KubernetesClientBuilder().withConfig(kube).build();
            verifier = new TokenReviewer(kubernetes, trustDomain, audiences);
        }
        IssuerService service = new IssuerService(config.build(), verifier, new SimpleMeterRegistry());
        CountDownLatch stopped = new CountDownLatch(1);
        KubernetesClient client = kubernetes;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            if (client != null) {
                client.close();
            }
            stopped.countDown();
        }, "isthmus-identity-shutdown"));
        int bound;
        try {
            bound = service.start();
        } catch (RuntimeException e) {
            throw new UserException("cannot listen on " + address + ":" + port + ": " + e.getMessage());
        }
        spec.commandLine().getOut().printf("identity issuer listening on https://%s:%d (certify: POST /v1/certify)%n", address, bound);
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
