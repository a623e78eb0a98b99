package dev.isthmus.cli.kube;

import dev.isthmus.cli.UserException;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --kubeconfig}, {@code --context} and {@code -n/--namespace}: declared once, as a mixin of the root
 * command, and inherited by every subcommand, as kubectl's and linkerd's global flags are. A subcommand
 * reaches them with {@link #of(CommandSpec)}.
 */
public final class KubeOptions {

    /** The mixin's name on the root command. */
    public static final String MIXIN_NAME = "kube";

    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "<file>",
            description = "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "<name>",
            description = "Name of the kubeconfig context to use (default: the current context).")
    String context;

    @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, paramLabel = "<namespace>",
            description = "Namespace to use, where a command works in one (default: the command's own).")
    String namespace;

    /** The first subcommand name in {@code args}, skipping the global options and their values; "" if none. */
    public static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--kubeconfig") || arg.equals("--context") || arg.equals("-n") || arg.equals("--namespace")) {
                i++;
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return "";
    }

    /** The options as given on the command line that {@code spec} belongs to. */
    public static KubeOptions of(CommandSpec spec) {
        CommandSpec mixin = spec.root().mixins().get(MIXIN_NAME);
        if (mixin == null) {
            throw new IllegalStateException("the root command has no '" + MIXIN_NAME + "' mixin of " + KubeOptions.class.getName());
        }
        return (KubeOptions) mixin.userObject();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public String context() {
        return context;
    }

    /** The {@code -n} value, or {@code fallback} when none was given. */
    public String namespace(String fallback) {
        return namespace != null ? namespace : fallback;
    }

    /** Whether {@code -n} was given. */
    public boolean namespaceGiven() {
        return namespace != null;
    }

    /**
     * The client configuration for the chosen kubeconfig and context, refusing a missing file or an unknown
     * context with a message that names it and lists the contexts there are.
     */
    public Config config() {
        if (kubeconfig != null) {
            if (!Files.isRegularFile(kubeconfig)) {
                throw new UserException("--kubeconfig " + kubeconfig + ": no such file (expected: a kubeconfig, as kubectl uses)");
            }
            checkContext(List.of(kubeconfig.toFile()));
            return tuned(Config.fromKubeconfig(context, kubeconfig.toFile()));
        }
        if (context != null) {
            List<File> files = new ArrayList<>();
            for (String name : Config.getKubeconfigFilenames()) {
                File file = new File(name);
                if (file.isFile()) {
                    files.add(file);
                }
            }
            if (files.isEmpty()) {
                throw new UserException("--context " + context + ": no kubeconfig found (looked at $KUBECONFIG and ~/.kube/config);"
                        + " pass --kubeconfig <file>");
            }
            checkContext(files);
        }
        return tuned(Config.autoConfigure(context));
    }

    /** A client for the chosen cluster; the caller closes it. */
    public KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    /** A command-line tool talks to one API server once: fail in seconds, not after minutes of retries. */
    private static Config tuned(Config config) {
        return new ConfigBuilder(config).withRequestRetryBackoffLimit(1).withConnectionTimeout(5_000)
                .withRequestTimeout(15_000).build();
    }

    private void checkContext(Collection<File> files) {
        if (context == null) {
            return;
        }
        TreeSet<String> available = new TreeSet<>();
        for (File file : files) {
            available.addAll(contexts(file));
        }
        if (!available.contains(context)) {
            String where = files.size() == 1 ? files.iterator().next().getPath() : files.toString();
            throw new UserException("--context " + context + ": no such context in " + where + " (available: "
                    + (available.isEmpty() ? "none" : String.join(", ", available)) + ")");
        }
    }

    static List<String> contexts(File file) {
        io.fabric8.kubernetes.api.model.Config parsed;
        try (InputStream in = Files.newInputStream(file.toPath())) {
            parsed = Serialization.unmarshal(in, io.fabric8.kubernetes.api.model.Config.class);
        } catch (IOException | RuntimeException e) {
            throw new UserException("kubeconfig " + file + " cannot be read: " + e.getMessage()
                    + " (expected: a kubeconfig YAML file, as kubectl uses)");
        }
        if (parsed == null || parsed.getContexts() == null) {
            return List.of();
        }
        return parsed.getContexts().stream().map(NamedContext::getName).filter(Objects::nonNull).toList();
    }
}
