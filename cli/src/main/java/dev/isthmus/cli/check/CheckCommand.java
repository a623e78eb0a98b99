package dev.isthmus.cli.check;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.KubeErrors;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.identity.pem.PemException;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus check}: the control plane and its certificates in a cluster (or several, whose anchors must
 * then be the same), or, given certificate files, the certificates alone without a cluster.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check the Isthmus control plane and its certificates.",
            "",
            "With --identity-trust-anchors-file (and the issuer files), checks those files without a cluster."
                + " Certificates warn when under 30 days, or a tenth of their life, remain."})
public final class CheckCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--identity-trust-anchors-file", paramLabel = "<file>",
            description = "Check these trust anchors (PEM), without a cluster.")
    Path anchorsFile;

    @Option(names = "--identity-issuer-certificate-file", paramLabel = "<file>",
            description = "Check this issuer certificate (PEM) against the anchors.")
    Path issuerCertificateFile;

    @Option(names = "--identity-issuer-key-file", paramLabel = "<file>",
            description = "Check that this key (PEM) matches the issuer certificate.")
    Path issuerKeyFile;

    @Option(names = "--contexts", split = ",", paramLabel = "<context>",
            description = "Check each of these kubeconfig contexts, and that they all trust the same anchors.")
    List<String> contexts = new ArrayList<>();

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        CheckReport report = new CheckReport(spec.commandLine().getOut());
        if (anchorsFile != null || issuerCertificateFile != null || issuerKeyFile != null) {
            offline(report);
            return report.finish();
        }
        KubeOptions kube = KubeOptions.of(spec);
        if (contexts.isEmpty()) {
            cluster(report, kube, null);
            return report.finish();
        }
        Map<String, Optional<List<X509Certificate>>> anchors = new LinkedHashMap<>();
        for (String context : contexts) {
            anchors.put(context, cluster(report, KubeContexts.options(kube, context), context));
        }
        sameAnchors(report, anchors);
        return report.finish();
    }

    private void offline(CheckReport report) {
        if (anchorsFile == null) {
            throw new UserException("--identity-issuer-certificate-file and --identity-issuer-key-file are checked against the"
                    + " anchors (expected: --identity-trust-anchors-file <file> as well)");
        }
        if (issuerKeyFile != null && issuerCertificateFile == null) {
            throw new UserException("--identity-issuer-key-file is checked against the issuer certificate"
                    + " (expected: --identity-issuer-certificate-file <file> as well)");
        }
        CertificateChecks certificates = new CertificateChecks(report, clock.instant());
        report.group("isthmus-identity");
        Optional<List<X509Certificate>> anchors = certificates.anchors(file(anchorsFile), anchorsFile.toString());
        if (issuerCertificateFile != null) {
            certificates.issuer(file(issuerCertificateFile), issuerCertificateFile.toString(),
                    issuerKeyFile == null ? null : file(issuerKeyFile), String.valueOf(issuerKeyFile), anchors);
        }
    }

    private static Supplier<String> file(Path path) {
        return () -> PemFiles.read(path);
    }

    /** @return the cluster's anchors, when they could be read */
    private Optional<List<X509Certificate>> cluster(CheckReport report, KubeOptions kube, String context) {
        String suffix = context == null ? "" : " (" + context + ")";
        Optional<KubernetesClient> api = report.kubernetesApi(kube, suffix);
        if (api.isEmpty()) {
            return Optional.empty();
        }
        try (KubernetesClient client = api.get()) {
            return controlPlane(report, client, suffix);
        }
    }

    private Optional<List<X509Certificate>> controlPlane(CheckReport report, KubernetesClient client, String suffix) {
        String ns = Names.CONTROL_PLANE_NAMESPACE;
        report.group("isthmus-control-plane" + suffix);
        try {
            if (client.namespaces().withName(ns).get() == null) {
                report.fail("control plane namespace exists", "no namespace '" + ns + "' (expected: `isthmus install | kubectl apply -f -`)");
                return Optional.empty();
            }
            report.pass("control plane namespace exists");
            deploymentAvailable(report, client, ns, Names.IDENTITY, "identity issuer", true);

            report.group("isthmus-identity" + suffix);
            CertificateChecks certificates = new CertificateChecks(report, clock.instant());
            ConfigMap roots = client.configMaps().inNamespace(ns).withName(Names.TRUST_ROOTS_CONFIG_MAP).get();
            String rootsSource = "ConfigMap " + ns + "/" + Names.TRUST_ROOTS_CONFIG_MAP + " key " + Names.TRUST_ROOTS_KEY;
            Optional<List<X509Certificate>> anchors = certificates.anchors(() -> {
                if (roots == null) {
                    throw new PemException("no ConfigMap " + ns + "/" + Names.TRUST_ROOTS_CONFIG_MAP + " (expected: the trust anchors"
                            + " `isthmus install --identity-trust-anchors-file` put there)");
                }
                String pem = roots.getData() == null ? null : roots.getData().get(Names.TRUST_ROOTS_KEY);
                if (pem == null) {
                    throw new PemException(rootsSource + ": no such key (expected the PEM bundle of trust anchors)");
                }
                return pem;
            }, rootsSource);
            Secret issuer = client.secrets().inNamespace(ns).withName(Names.IDENTITY_ISSUER_SECRET).get();
            String secretName = "Secret " + ns + "/" + Names.IDENTITY_ISSUER_SECRET;
            certificates.issuer(() -> secretKey(issuer, secretName, "tls.crt"), secretName + " key tls.crt",
                    () -> secretKey(issuer, secretName, "tls.key"), secretName + " key tls.key", anchors);

            // An extension is checked where it is installed, as linkerd check does: before `multicluster install`
            // (the walkthrough's first check) a warning about it would only say what the reader is about to do.
            if (client.namespaces().withName(Names.MULTICLUSTER_NAMESPACE).get() != null) {
                report.group("isthmus-multicluster-gateway" + suffix);
                deploymentAvailable(report, client, Names.MULTICLUSTER_NAMESPACE, Names.GATEWAY, "multicluster gateway", false);
            }
            return anchors;
        } catch (KubernetesClientException e) {
            report.fail("can read the control plane", KubeErrors.describe(e, client.getConfiguration().getMasterUrl(),
                    "read the control plane in namespace " + ns));
            return Optional.empty();
        }
    }

    private static String secretKey(Secret secret, String name, String key) {
        if (secret == null) {
            throw new PemException("no " + name + " (expected: the issuer certificate and key `isthmus install` put there)");
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        if (encoded == null) {
            throw new PemException(name + ": no key " + key + " (expected a kubernetes.io/tls Secret with tls.crt and tls.key)");
        }
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new PemException(name + " key " + key + ": not base64 (expected PEM, base64-encoded as Secrets hold it)");
        }
    }

    /** @param required whether its absence fails (the control plane) or only warns (an optional extension) */
    private static void deploymentAvailable(CheckReport report, KubernetesClient client, String ns, String name, String what,
            boolean required) {
        String check = what + " Deployment is available";
        Deployment deployment = client.apps().deployments().inNamespace(ns).withName(name).get();
        if (deployment == null) {
            String hint = "no Deployment " + ns + "/" + name;
            if (required) {
                report.fail(check, hint + " (expected: `isthmus install | kubectl apply -f -`)");
            } else {
                report.warn(check, hint + " (not installed? `isthmus multicluster install | kubectl apply -f -`)");
            }
            return;
        }
        int wanted = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        var status = deployment.getStatus();
        int ready = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
        boolean available = status != null && status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
        if (available && ready > 0) {
            report.pass(check + " (" + ready + "/" + wanted + " ready)");
        } else {
            report.fail(check, "Deployment " + ns + "/" + name + ": " + ready + " of " + wanted + " replicas ready"
                    + (available ? "" : ", not Available") + " (try: kubectl -n " + ns + " describe deployment " + name
                    + "; kubectl -n " + ns + " logs deploy/" + name + ")");
        }
    }

    private static void sameAnchors(CheckReport report, Map<String, Optional<List<X509Certificate>>> anchors) {
        report.group("trust anchors across contexts");
        String check = "all contexts trust the same anchors";
        List<String> unknown = anchors.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
        if (!unknown.isEmpty()) {
            report.fail(check, "cannot compare: the anchors of " + String.join(", ", unknown) + " could not be read (see above)");
            return;
        }
        Map<String, TreeSet<String>> sets = new LinkedHashMap<>();
        Map<String, String> described = new LinkedHashMap<>();
        anchors.forEach((context, roots) -> {
            TreeSet<String> set = new TreeSet<>();
            for (X509Certificate root : roots.get()) {
                String fingerprint = CertificateChecks.fingerprint(root);
                set.add(fingerprint);
                described.put(fingerprint, CertificateChecks.describe(root));
            }
            sets.put(context, set);
        });
        String first = sets.keySet().iterator().next();
        List<String> hints = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> e : sets.entrySet()) {
            if (!e.getValue().equals(sets.get(first))) {
                hints.add(first + " and " + e.getKey() + " differ:");
                diff(hints, first, sets.get(first), e.getKey(), e.getValue(), described);
                diff(hints, e.getKey(), e.getValue(), first, sets.get(first), described);
            }
        }
        if (hints.isEmpty()) {
            report.pass(check + " (" + sets.get(first).size() + " in each of " + String.join(", ", sets.keySet()) + ")");
        } else {
            hints.add("mTLS between gateways needs one shared anchor: install every cluster with the same"
                    + " --identity-trust-anchors-file");
            report.fail(check, hints.toArray(String[]::new));
        }
    }

    private static void diff(List<String> hints, String context, TreeSet<String> mine, String other, TreeSet<String> theirs,
            Map<String, String> described) {
        for (String fingerprint : mine) {
            if (!theirs.contains(fingerprint)) {
                hints.add("  only in " + context + ": " + described.get(fingerprint));
            }
        }
    }
}
