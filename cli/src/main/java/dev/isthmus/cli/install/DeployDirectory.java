package dev.isthmus.cli.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One folder of {@code deploy/} ({@code crds}, {@code control-plane}, {@code multicluster}) as the build put it
 * on the classpath: the objects its {@code kustomization.yaml} lists, in that order, and its generators.
 * Reading the kustomization rather than a list of our own keeps the printed set and the kustomize set one.
 */
public final class DeployDirectory {

    private static final String ROOT = "/dev/isthmus/cli/deploy/";

    private final String name;
    private final Map<String, Object> kustomization;

    private DeployDirectory(String name, Map<String, Object> kustomization) {
        this.name = name;
        this.kustomization = kustomization;
    }

    public static DeployDirectory load(String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> kustomization = Serialization.unmarshal(read(ROOT + name + "/kustomization.yaml"), Map.class);
        return new DeployDirectory(name, kustomization);
    }

    /** The file names under {@code resources:}. */
    public List<String> resourceFiles() {
        return strings(kustomization.get("resources"), "resources");
    }

    /** A listed file's text, as it is in {@code deploy/}. */
    public String text(String file) {
        return read(ROOT + name + "/" + file);
    }

    /** The objects of every listed file, in order. */
    public List<HasMetadata> objects() {
        List<HasMetadata> objects = new ArrayList<>();
        for (String file : resourceFiles()) {
            objects.addAll(Manifests.parse(text(file), "deploy/" + name + "/" + file));
        }
        return objects;
    }

    /** The {@code secretGenerator} and {@code configMapGenerator} entries, as kustomize reads them. */
    public List<Generator> generators() {
        List<Generator> generators = new ArrayList<>();
        Map<String, String> commonLabels = stringMap(map(map(kustomization.get("generatorOptions")).get("labels")));
        for (Object entry : list(kustomization.get("secretGenerator"))) {
            generators.add(Generator.of("Secret", map(entry), commonLabels));
        }
        for (Object entry : list(kustomization.get("configMapGenerator"))) {
            generators.add(Generator.of("ConfigMap", map(entry), commonLabels));
        }
        return generators;
    }

    /**
     * A kustomize generator: a Secret or ConfigMap whose keys come from files ({@code key=file}).
     *
     * @param files key in the object → name of the file beside the kustomization
     */
    public record Generator(String kind, String name, String namespace, String type, Map<String, String> files,
            Map<String, String> labels, Map<String, String> annotations) {

        static Generator of(String kind, Map<String, Object> entry, Map<String, String> commonLabels) {
            Map<String, String> files = new java.util.LinkedHashMap<>();
            for (String spec : strings(entry.get("files"), "files")) {
                int eq = spec.indexOf('=');
                files.put(eq < 0 ? spec : spec.substring(0, eq), eq < 0 ? spec : spec.substring(eq + 1));
            }
            Map<String, Object> options = map(entry.get("options"));
            Map<String, String> labels = new java.util.LinkedHashMap<>(commonLabels);
            labels.putAll(stringMap(map(options.get("labels"))));
            return new Generator(kind, (String) entry.get("name"), (String) entry.get("namespace"), (String) entry.get("type"),
                    files, labels, stringMap(map(options.get("annotations"))));
        }
    }

    static String read(String resource) {
        try (InputStream in = DeployDirectory.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath (the build copies deploy/ there)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }

    private static List<String> strings(Object value, String what) {
        List<String> strings = new ArrayList<>();
        for (Object item : list(value)) {
            if (!(item instanceof String s)) {
                throw new IllegalStateException("kustomization " + what + ": " + item + " (expected a string)");
            }
            strings.add(s);
        }
        return strings;
    }

    private static Map<String, String> stringMap(Map<String, Object> value) {
        Map<String, String> strings = new java.util.LinkedHashMap<>();
        value.forEach((k, v) -> strings.put(k, String.valueOf(v)));
        return strings;
    }
}
