package dev.isthmus.cli.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * The custom resource definitions: {@code deploy/crds}, listed by its {@code kustomization.yaml}, read from
 * the mirror module's classpath, where the mirror's build packages them (what its code and tests are
 * written against).
 */
public final class Crds {

    /** Where the mirror module's build puts deploy/crds on the classpath. */
    public static final String MIRROR_CRDS = "/dev/isthmus/mirror/crds/";

    private Crds() {}

    public static List<String> files() {
        return DeployDirectory.load("crds").resourceFiles();
    }

    /** The CRD files' text, verbatim (comments and all), as YAML documents. */
    public static String yaml() {
        StringBuilder out = new StringBuilder();
        for (String file : files()) {
            out.append(Manifests.document(text(file)));
        }
        return out.toString();
    }

    public static String text(String file) {
        return DeployDirectory.read(MIRROR_CRDS + file);
    }

    public static List<HasMetadata> objects() {
        List<HasMetadata> objects = new ArrayList<>();
        for (String file : files()) {
            objects.addAll(Manifests.parse(text(file), MIRROR_CRDS + file));
        }
        return objects;
    }
}
