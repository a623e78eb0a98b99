package dev.isthmus.cli.install;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.mirror.kube.Names;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus install}: prints the CRDs ({@code --crds}) or the control plane, the identity issuer, for
 * {@code kubectl apply -f -}; the objects are {@code deploy/}'s with this install's image, trust domain and
 * identity files.
 */
@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the Isthmus CRDs (--crds) or control plane, for `kubectl apply -f -`.",
            "",
            "  isthmus install --crds | kubectl apply -f -",
            "  isthmus install --identity-trust-anchors-file root.crt \\",
            "      --identity-issuer-certificate-file issuer.crt --identity-issuer-key-file issuer.key | kubectl apply -f -",
            ""})
public final class InstallCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--crds", description = "Print only the custom resource definitions (install them first).")
    boolean crds;

    @Option(names = IdentityFiles.ANCHORS_FLAG, paramLabel = "<file>",
            description = "PEM bundle of trust anchors (CA certificates) shared by every linked cluster.")
    Path anchors;

    @Option(names = IdentityFiles.CERTIFICATE_FLAG, paramLabel = "<file>",
            description = "The issuer's certificate: an intermediate CA signed by a trust anchor.")
    Path issuerCertificate;

    @Option(names = IdentityFiles.KEY_FLAG, paramLabel = "<file>", description = "The issuer's private key.")
    Path issuerKey;

    @Option(names = "--trust-domain", defaultValue = SpiffeId.DEFAULT_TRUST_DOMAIN, paramLabel = "<domain>",
            description = "Trust domain of the identities the issuer signs (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(names = "--image", paramLabel = "<image>",
            description = "Container image of the identity issuer (default: the image in deploy/).")
    String image;

    @Override
    public Integer call() {
        refuseNamespace(spec, Names.CONTROL_PLANE_NAMESPACE);
        List<String> identityFlags = new ArrayList<>();
        if (anchors != null) {
            identityFlags.add(IdentityFiles.ANCHORS_FLAG);
        }
        if (issuerCertificate != null) {
            identityFlags.add(IdentityFiles.CERTIFICATE_FLAG);
        }
        if (issuerKey != null) {
            identityFlags.add(IdentityFiles.KEY_FLAG);
        }
        if (crds) {
            if (!identityFlags.isEmpty() || image != null) {
                throw new UserException("--crds prints only the CRDs and takes no other install flags (got "
                        + String.join(", ", identityFlags) + (image != null ? (identityFlags.isEmpty() ? "" : ", ") + "--image" : "")
                        + "); run `isthmus install --crds` and `isthmus install <identity flags>` separately");
            }
            spec.commandLine().getOut().print(Crds.yaml());
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (identityFlags.size() < 3) {
            List<String> missing = new ArrayList<>(List.of(IdentityFiles.ANCHORS_FLAG, IdentityFiles.CERTIFICATE_FLAG,
                    IdentityFiles.KEY_FLAG));
            missing.removeAll(identityFlags);
            throw new UserException("missing " + String.join(", ", missing) + " (the control plane needs the trust anchors"
                    + " and the issuer's certificate and key; make them with `isthmus certs root` and `isthmus certs issuer`,"
                    + " or print the CRDs with --crds)");
        }
        checkTrustDomain(trustDomain);
        IdentityFiles identity = IdentityFiles.load(anchors, issuerCertificate, issuerKey, Instant.now());
        String chosenImage = image != null ? image : ControlPlane.defaultImage();
        spec.commandLine().getOut().print(Manifests.yaml(ControlPlane.objects(chosenImage, trustDomain, identity)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The trust domain, checked as SPIFFE requires; a bad one fails here, not in the issuer at startup. */
    public static String checkTrustDomain(String trustDomain) {
        try {
            return SpiffeId.checkTrustDomain(trustDomain);
        } catch (IllegalArgumentException e) {
            throw new UserException("--trust-domain: " + e.getMessage());
        }
    }

    /** Install commands put their objects in the namespaces of the contract (docs/kubernetes.md), not elsewhere. */
    public static void refuseNamespace(CommandSpec spec, String namespace) {
        KubeOptions kube = KubeOptions.of(spec);
        if (kube.namespaceGiven() && !kube.namespace(namespace).equals(namespace)) {
            throw new UserException("-n/--namespace " + kube.namespace(namespace) + ": this command's objects always go in"
                    + " namespace " + namespace + " (other Isthmus components look for them there); drop -n");
        }
    }
}
