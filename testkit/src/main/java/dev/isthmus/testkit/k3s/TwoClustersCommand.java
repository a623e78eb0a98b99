package dev.isthmus.testkit.k3s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two clusters for a person: {@code up} starts them as the tests do and leaves them running,
 * {@code down} removes them and what was started for them, and checks that nothing is left. Run by
 * {@code tools/k3s-testenv/up} and {@code down}; the state between the two lives in
 * {@code <cache>/up/} (the kubeconfig and the nodes' container ids).
 */
public final class TwoClustersCommand {

    /** The engine holder name of clusters a person brought up. */
    private static final String HOLDER = "up";

    private TwoClustersCommand() {
    }

    public static void main(String[] args) {
        String command = args.length == 1 ? args[0] : "";
        try {
            switch (command) {
                case "up" -> up();
                case "down" -> down();
                default -> {
                    System.err.println("usage: TwoClustersCommand up|down (got: " + String.join(" ", args) + ")");
                    System.exit(2);
                }
            }
        } catch (RuntimeException e) {
            System.err.println(command + ": " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    static Path stateDirectory() {
        String cache = System.getenv("ISTHMUS_K3S_CACHE");
        Path root = cache != null && !cache.isBlank()
                ? Paths.get(cache)
                : Paths.get(System.getProperty("user.home"), ".cache", "isthmus", "k3s-testenv");
        return root.resolve("up");
    }

    private static void up() {
        Path state = stateDirectory();
        if (Files.exists(state.resolve("nodes"))) {
            throw new IllegalStateException("the clusters are already up (state: " + state + "; expected: run down first)");
        }
        TwoClusters clusters = TwoClusters.start(HOLDER);
        try {
            Files.createDirectories(state);
            Path kubeconfig = state.resolve("kubeconfig");
            Files.copy(clusters.kubeconfig(), kubeconfig, StandardCopyOption.REPLACE_EXISTING);
            List<String> nodes = new ArrayList<>();
            for (Map.Entry<String, String> node : clusters.containerIds().entrySet()) {
                nodes.add(node.getKey() + "=" + node.getValue());
            }
            Files.write(state.resolve("nodes"), nodes);
            clusters.keepRunning();
            System.out.println("Two k3s clusters are up: contexts east and west.");
            for (String name : TwoClusters.NAMES) {
                System.out.println("  " + name + ": node address " + clusters.nodeAddress(name));
            }
            System.out.println("Images loaded in both: " + clusters.image() + ", " + clusters.podinfoImage() + ", "
                    + clusters.clientImage());
            System.out.println();
            System.out.println("  export KUBECONFIG=" + kubeconfig);
            System.out.println("  export PATH=" + clusters.kubectl().getParent() + ":$PATH   # kubectl " + "of the clusters' version");
            System.out.println();
            System.out.println("Take them down with tools/k3s-testenv/down.");
        } catch (IOException e) {
            clusters.close();
            throw new UncheckedIOException("cannot write the state of the clusters to " + state, e);
        }
    }

    private static void down() {
        Path state = stateDirectory();
        Path tools = TestEnvironment.find().orElseThrow(() -> new IllegalStateException(
                "tools/k3s-testenv not found (expected: run from the repository)"));
        List<String> ids = new ArrayList<>();
        if (Files.exists(state.resolve("nodes"))) {
            ids.addAll(TestEnvironment.readEnv(state.resolve("nodes")).values());
            for (String id : ids) {
                Command.of(Duration.ofMinutes(2), "docker", "rm", "--force", "--volumes", id).succeeds();
            }
        } else {
            System.out.println("no clusters were up (no " + state.resolve("nodes") + "); checking that nothing is left");
        }
        List<String> left = TwoClusters.remainingContainers(ids);
        if (!left.isEmpty()) {
            throw new IllegalStateException("containers left: " + left + " (expected: none)");
        }
        // Stops the engine when it was started for the clusters and checks what it leaves.
        TestEnvironment.releaseEngine(tools, HOLDER);
        try {
            Files.deleteIfExists(state.resolve("nodes"));
            Files.deleteIfExists(state.resolve("kubeconfig"));
            Files.deleteIfExists(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + state, e);
        }
        System.out.println("The clusters are down; nothing is left (containers, engine, iptables, docker0, mounts, cgroups).");
    }
}
