package dev.isthmus.cli.install;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The objects of {@code deploy/control-plane}, for one cluster's image, trust domain and identity files. */
public final class ControlPlane {

    static final String DIRECTORY = "control-plane";
    /** On the trust-roots ConfigMap: {@code multicluster install} reads the trust domain from there. */
    public static final String TRUST_DOMAIN_ANNOTATION = "identity.isthmus.dev/trust-domain";
    /** The file names the kustomization's generators read, and where the install flags' contents go. */
    static final String ANCHORS_FILE = "root.crt";
    static final String ISSUER_CERTIFICATE_FILE = "issuer.crt";
    static final String ISSUER_KEY_FILE = "issuer.key";
    private static final String TRUST_DOMAIN_ARG = "--trust-domain=";

    private ControlPlane() {}

    /** The image {@code deploy/} names, the default of {@code --image}. */
    public static String defaultImage() {
        return identityContainer(DeployDirectory.load(DIRECTORY).objects()).getImage();
    }

    public static List<HasMetadata> objects(String image, String trustDomain, IdentityFiles identity) {
        DeployDirectory directory = DeployDirectory.load(DIRECTORY);
        List<HasMetadata> objects = new ArrayList<>(directory.objects());
        Container container = identityContainer(objects);
        container.setImage(image);
        container.setArgs(container.getArgs().stream()
                .map(arg -> arg.startsWith(TRUST_DOMAIN_ARG) ? TRUST_DOMAIN_ARG + trustDomain : arg).toList());
        Map<String, String> files = Map.of(ANCHORS_FILE, identity.anchorsPem(),
                ISSUER_CERTIFICATE_FILE, identity.issuerCertificatePem(), ISSUER_KEY_FILE, identity.issuerKeyPem());
        for (DeployDirectory.Generator generator : directory.generators()) {
            HasMetadata generated = Manifests.generate(generator, files);
            if (generated.getMetadata().getAnnotations() != null
                    && generated.getMetadata().getAnnotations().containsKey(TRUST_DOMAIN_ANNOTATION)) {
                generated.getMetadata().getAnnotations().put(TRUST_DOMAIN_ANNOTATION, trustDomain);
            }
            objects.add(generated);
        }
        return objects;
    }

    /** Every object {@code objects(…)} prints, by kind and name only, for {@code kubectl delete -f -}. */
    public static List<HasMetadata> names() {
        DeployDirectory directory = DeployDirectory.load(DIRECTORY);
        List<HasMetadata> objects = new ArrayList<>(directory.objects());
        Map<String, String> none = new java.util.HashMap<>();
        for (DeployDirectory.Generator generator : directory.generators()) {
            generator.files().values().forEach(file -> none.put(file, ""));
            objects.add(Manifests.generate(generator, none));
        }
        return objects;
    }

    private static Container identityContainer(List<HasMetadata> objects) {
        Deployment deployment = Manifests.find(objects, Deployment.class, Names.IDENTITY);
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }
}
