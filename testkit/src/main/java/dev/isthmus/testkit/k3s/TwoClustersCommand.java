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

    /**
     * Starts the clusters and holds them until this process is told to stop (SIGTERM from
     * {@code down}): Testcontainers removes the containers it started when its JVM exits, so the
     * JVM that started them stays, in the background, and its shutdown hooks take them down.
     */
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
            Files.writeString(state.resolve("pid"), ProcessHandle.current().pid() + "\n");
            System.out.println("Two k3s clusters are up: contexts east and west.");
            for (String name : TwoClusters.NAMES) {
                System.out.println("  " + name + ": node address " + clusters.nodeAddress(name));
            }
            System.out.println("A LoadBalancer Service gets its node's address; the other cluster's pods reach it.");
            System.out.println("Images loaded in both: " + clusters.image() + ", " + clusters.podinfoImage() + ", "
                    + clusters.clientImage());
            System.out.println();
            System.out.println("  export KUBECONFIG=" + kubeconfig);
            System.out.println("  export PATH=" + clusters.kubectl().getParent() + ":$PATH   # kubectl of the clusters' version");
            System.out.println();
            System.out.println("Take them down with tools/k3s-testenv/down.");
            System.out.flush();
            Files.writeString(state.resolve("ready"), "");
        } catch (IOException e) {
            clusters.close();
            throw new UncheckedIOException("cannot write the state of the clusters to " + state, e);
        }
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the JVM that holds the clusters; its shutdown hooks remove them and release the engine. */
    private static void stopHolder(Path state) {
        Path pid = state.resolve("pid");
        if (!Files.exists(pid)) {
            return;
        }
        try {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(holder -> {
                holder.destroy();
                try {
                    holder.onExit().get(3, java.util.concurrent.TimeUnit.MINUTES);
                } catch (Exception e) {
                    holder.destroyForcibly();
                }
            });
        } catch (IOException | NumberFormatException e) {
            System.err.println("cannot read " + pid + ": " + e.getMessage());
        }
    }

    private static void down() {
        Path state = stateDirectory();
        Path tools = TestEnvironment.find().orElseThrow(() -> new IllegalStateException(
                "tools/k3s-testenv not found (expected: run from the repository)"));
        List<String> ids = new ArrayList<>();
        stopHolder(state);
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
            for (String file : List.of("nodes", "kubeconfig", "pid", "ready", "up.log")) {
                Files.deleteIfExists(state.resolve(file));
            }
            Files.deleteIfExists(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + state, e);
        }
        System.out.println("The clusters are down; nothing is left (containers, engine, iptables, docker0, mounts, cgroups).");
    }
}
