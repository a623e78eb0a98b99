package dev.isthmus.cli.install;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Objects to and from the YAML that {@code kubectl apply -f -} and {@code kubectl delete -f -} read. */
public final class Manifests {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private Manifests() {}

    /** The objects of a multi-document YAML text; documents holding only comments are skipped. */
    public static List<HasMetadata> parse(String yaml, String source) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            KubernetesResource resource = Serialization.unmarshal(document);
            if (!(resource instanceof HasMetadata object)) {
                throw new IllegalStateException(source + ": a document is not a Kubernetes object: " + resource);
            }
            objects.add(object);
        }
        return objects;
    }

    /** Each object as a YAML document, each starting with {@code ---}. */
    public static String yaml(List<? extends HasMetadata> objects) {
        StringBuilder out = new StringBuilder();
        for (HasMetadata object : objects) {
            out.append(document(Serialization.asYaml(object)));
        }
        return out.toString();
    }

    /** {@code text} as one or more documents that start with {@code ---} and end with a newline. */
    public static String document(String text) {
        String body = text.startsWith("---\n") ? text.substring(4) : text;
        return "---\n" + body + (body.endsWith("\n") ? "" : "\n");
    }

    /** What {@code kubectl delete -f -} needs of an object: its kind and name, nothing that could be stale. */
    public static GenericKubernetesResource deletionStub(HasMetadata object) {
        GenericKubernetesResourceBuilder stub = new GenericKubernetesResourceBuilder()
                .withApiVersion(object.getApiVersion()).withKind(object.getKind())
                .withNewMetadata().withName(object.getMetadata().getName()).endMetadata();
        if (object.getMetadata().getNamespace() != null) {
            stub.editMetadata().withNamespace(object.getMetadata().getNamespace()).endMetadata();
        }
        return stub.build();
    }

    public static List<GenericKubernetesResource> deletionStubs(List<? extends HasMetadata> objects) {
        return objects.stream().map(Manifests::deletionStub).toList();
    }

    /**
     * The object kustomize makes from {@code generator}, given the contents of the files it names (by file
     * name); the same keys, labels, annotations and (for Secrets) base64 data.
     */
    public static HasMetadata generate(DeployDirectory.Generator generator, Map<String, String> fileContents) {
        Map<String, String> data = new LinkedHashMap<>();
        generator.files().forEach((key, file) -> {
            String content = fileContents.get(file);
            if (content == null) {
                throw new IllegalStateException("no content for " + file + " (generator " + generator.name() + ")");
            }
            data.put(key, content);
        });
        Map<String, String> annotations = generator.annotations().isEmpty() ? null : generator.annotations();
        return switch (generator.kind()) {
            case "Secret" -> {
                Map<String, String> encoded = new LinkedHashMap<>();
                data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
                yield new SecretBuilder().withNewMetadata().withName(generator.name()).withNamespace(generator.namespace())
                        .withLabels(generator.labels()).withAnnotations(annotations).endMetadata()
                        .withType(generator.type() == null ? "Opaque" : generator.type()).withData(encoded).build();
            }
            case "ConfigMap" -> new ConfigMapBuilder().withNewMetadata().withName(generator.name())
                    .withNamespace(generator.namespace()).withLabels(generator.labels()).withAnnotations(annotations).endMetadata()
                    .withData(data).build();
            default -> throw new IllegalStateException("generator kind " + generator.kind());
        };
    }

    /** The one object of {@code kind} named {@code name}; a missing one means deploy/ and the code disagree. */
    public static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> kind, String name) {
        return objects.stream().filter(kind::isInstance).map(kind::cast)
                .filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("deploy/ has no " + kind.getSimpleName() + " " + name));
    }
}
