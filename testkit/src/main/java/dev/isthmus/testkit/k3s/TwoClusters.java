package dev.isthmus.testkit.k3s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Two real k3s clusters, {@code east} and {@code west}, each one node in a container of the local
 * Docker engine, with the images the tests run (Isthmus's own, built from the project's Dockerfile,
 * podinfo and a curl client) already loaded. The nodes reach each other's addresses on the Docker
 * network, so a pod in one cluster reaches a NodePort or LoadBalancer address of the other.
 *
 * <p>A LoadBalancer Service gets its node's address as its {@code status.loadBalancer.ingress},
 * written inside the node as a cloud's controller would (see {@code tools/k3s-testenv/node/entrypoint});
 * kube-proxy routes that address and the Service's port to the Service's pods.
 *
 * <p>Everything comes from {@code tools/k3s-testenv}: {@link #start()} runs its {@code build.sh}
 * (a no-op when the cache is current), starts Debian's Docker engine when none runs, and
 * {@link #close()} stops the nodes and the engine it started and fails when anything is left behind.
 */
public final class TwoClusters implements AutoCloseable {

    public static final List<String> NAMES = List.of("east", "west");

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Duration IMAGES_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(8);
    /** Clusters not yet closed; the shutdown hook stops them so a dying test JVM leaves nothing. */
    private static final Set<TwoClusters> RUNNING = ConcurrentHashMap.newKeySet();

    /** The engine holder this JVM keeps from its first clusters to its exit; see {@link #holdEngineUntilExit}. */
    private static final String JVM_HOLDER = "jvm-" + ProcessHandle.current().pid();
    private static Path heldUntilExit;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            RUNNING.forEach(TwoClusters::closeQuietly);
            releaseHeldUntilExit();
        }, "isthmus-two-clusters-reaper"));
    }

    private final TestEnvironment environment;
    private final String holder;
    private final Map<String, K3sContainer> nodes;
    private final Path directory;
    private final Path kubeconfig;
    private boolean closed;

    private TwoClusters(TestEnvironment environment, String holder, Map<String, K3sContainer> nodes, Path directory,
            Path kubeconfig) {
        this.environment = environment;
        this.holder = holder;
        this.nodes = nodes;
        this.directory = directory;
        this.kubeconfig = kubeconfig;
    }

    /**
     * Why the clusters cannot run here, for a skip message; empty when they can. Starting Docker's
     * engine needs root (or an engine already running), Linux, and the repository's tools.
     */
    public static Optional<String> unavailable() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("the k3s test environment runs on Linux only (os.name: " + System.getProperty("os.name") + ")");
        }
        if (TestEnvironment.find().isEmpty()) {
            return Optional.of("tools/k3s-testenv not found above " + Paths.get("").toAbsolutePath()
                    + " (expected: run from the repository, or set ISTHMUS_K3S_TESTENV)");
        }
        if (Command.of(Duration.ofSeconds(20), "docker", "info").succeeds()) {
            return Optional.empty();
        }
        if (!isRoot()) {
            return Optional.of("no Docker engine runs and starting one needs root (expected: a running engine, or root)");
        }
        boolean dockerd = Command.of(Duration.ofSeconds(10), "sh", "-c", "command -v dockerd").succeeds();
        boolean apt = Command.of(Duration.ofSeconds(10), "sh", "-c", "command -v apt-get").succeeds();
        if (!dockerd && !apt) {
            return Optional.of("no dockerd, and no apt-get to install Debian's docker.io (expected: one of them)");
        }
        return Optional.empty();
    }

    /**
     * Skips the calling test with {@link #unavailable()}'s reason; under {@code CI=true} a skip would
     * hide that the test never ran, so it fails instead.
     */
    public static void assumeAvailable() {
        Optional<String> reason = unavailable();
        if (reason.isEmpty()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("the two-cluster test environment cannot run: " + reason.get());
        }
        Assumptions.abort(reason.get());
    }

    /** Builds what is missing, starts the engine when none runs, and starts both clusters in parallel. */
    public static TwoClusters start() {
        TestEnvironment.find().ifPresent(TwoClusters::holdEngineUntilExit);
        return start("twoclusters-" + INSTANCES.incrementAndGet() + "-" + ProcessHandle.current().pid());
    }

    /**
     * Keeps the engine up from this JVM's first clusters to its exit, when the reaper lets go of it (and the
     * engine, if the environment started it, stops and checks that nothing is left). Testcontainers has one
     * Docker client per JVM and pools its connections: an engine stopped after one test class and started again
     * for the next left that client writing to the old daemon's socket ("Broken pipe" creating the next nodes).
     */
    private static synchronized void holdEngineUntilExit(Path tools) {
        if (heldUntilExit == null && unavailable().isEmpty()) {
            TestEnvironment.holdEngine(tools, JVM_HOLDER);
            heldUntilExit = tools;
        }
    }

    private static synchronized void releaseHeldUntilExit() {
        if (heldUntilExit != null) {
            releaseQuietly(heldUntilExit, JVM_HOLDER);
            heldUntilExit = null;
        }
    }

    static TwoClusters start(String holder) {
        Optional<String> reason = unavailable();
        if (reason.isPresent()) {
            throw new IllegalStateException("the two-cluster test environment cannot run: " + reason.get());
        }
        Path tools = TestEnvironment.find().orElseThrow();
        TestEnvironment.holdEngine(tools, holder);
        Map<String, K3sContainer> nodes = new LinkedHashMap<>();
        try {
            TestEnvironment environment = TestEnvironment.build(tools);
            for (String name : NAMES) {
                nodes.put(name, node(environment, name));
            }
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (K3sContainer node : nodes.values()) {
                starting.add(CompletableFuture.runAsync(node::start));
            }
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
            Path directory = Files.createTempDirectory("isthmus-two-clusters-");
            Path kubeconfig = directory.resolve("kubeconfig");
            Files.writeString(kubeconfig, kubeconfigYaml(nodes));
            TwoClusters clusters = new TwoClusters(environment, holder, nodes, directory, kubeconfig);
            RUNNING.add(clusters);
            clusters.awaitImages();
            return clusters;
        } catch (IOException e) {
            stopAll(nodes.values());
            releaseQuietly(tools, holder);
            throw new UncheckedIOException("cannot write the clusters' kubeconfig", e);
        } catch (RuntimeException | Error e) {
            // Also on an Error (a class missing from the class path): the engine must not stay held.
            stopAll(nodes.values());
            releaseQuietly(tools, holder);
            throw e;
        }
    }

    private static K3sContainer node(TestEnvironment environment, String name) {
        K3sContainer node = new K3sContainer(DockerImageName.parse(environment.value("NODE_IMAGE"))
                .asCompatibleSubstituteFor("rancher/k3s"));
        // The node is named after its cluster; the container keeps its id as host name, which names
        // its cgroup root (node/entrypoint) so concurrent environments never share one.
        node.setCommand("server", "--disable=traefik", "--tls-san=" + node.getHost(), "--node-name=" + name);
        node.withLabel("dev.isthmus.testenv", "k3s").withLabel("dev.isthmus.cluster", name);
        // k3s imports the images below before its node is up: ~1 GB, minutes on a busy machine.
        node.waitingFor(Wait.forLogMessage(".*Node controller sync successful.*", 1).withStartupTimeout(NODE_TIMEOUT));
        // k3s imports every tar in agent/images when it starts.
        for (String image : List.of("podinfo.tar", "client.tar", "isthmus.tar")) {
            node.withFileSystemBind(environment.imageTar(image).toString(),
                    "/var/lib/rancher/k3s/agent/images/" + image, BindMode.READ_ONLY);
        }
        return node;
    }

    /** One kubeconfig with a context per cluster, named after it, its server reachable from this host. */
    private static String kubeconfigYaml(Map<String, K3sContainer> nodes) {
        StringBuilder clusters = new StringBuilder();
        StringBuilder users = new StringBuilder();
        StringBuilder contexts = new StringBuilder();
        for (Map.Entry<String, K3sContainer> entry : nodes.entrySet()) {
            String name = entry.getKey();
            Config config = Config.fromKubeconfig(entry.getValue().getKubeConfigYaml());
            clusters.append("- name: ").append(name).append("\n  cluster:\n")
                    .append("    server: ").append(config.getMasterUrl().replaceAll("/+$", "")).append('\n')
                    .append("    certificate-authority-data: ").append(base64(config.getCaCertData())).append('\n');
            users.append("- name: ").append(name).append("\n  user:\n")
                    .append("    client-certificate-data: ").append(base64(config.getClientCertData())).append('\n')
                    .append("    client-key-data: ").append(base64(config.getClientKeyData())).append('\n');
            contexts.append("- name: ").append(name).append("\n  context:\n")
                    .append("    cluster: ").append(name).append("\n    user: ").append(name).append('\n');
        }
        return "apiVersion: v1\nkind: Config\nclusters:\n" + clusters + "users:\n" + users + "contexts:\n" + contexts
                + "current-context: " + nodes.keySet().iterator().next() + "\n";
    }

    /** fabric8 hands the kubeconfig's data fields back as they were: already base64. */
    private static String base64(String data) {
        requireNonNull(data, "kubeconfig data");
        Base64.getDecoder().decode(data.strip());
        return data.strip();
    }

    /** k3s imports the bound tars as it starts; a test must not race a pod against the import. */
    private void awaitImages() {
        List<String> wanted = List.of(image(), podinfoImage(), clientImage());
        long deadline = System.nanoTime() + IMAGES_TIMEOUT.toNanos();
        for (Map.Entry<String, K3sContainer> entry : nodes.entrySet()) {
            while (true) {
                String listed;
                try {
                    listed = entry.getValue().execInContainer("ctr", "-n", "k8s.io", "images", "ls", "-q").getStdout();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list the images of cluster " + entry.getKey(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the images of " + entry.getKey(), e);
                }
                List<String> missing = wanted.stream().filter(image -> !listed.contains(image)).toList();
                if (missing.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster " + entry.getKey() + " lacks images " + missing + " after "
                            + IMAGES_TIMEOUT + " (expected: imported from /var/lib/rancher/k3s/agent/images)");
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the images of " + entry.getKey(), e);
                }
            }
        }
    }

    /** A kubeconfig with contexts {@code east} and {@code west}; servers on this host's loopback ports. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** kubectl of the clusters' own Kubernetes version (k3s called as kubectl). */
    public Path kubectl() {
        return Paths.get(environment.value("KUBECTL"));
    }

    /** The Isthmus image, built from the project's Dockerfile and loaded into both clusters. */
    public String image() {
        return environment.value("ISTHMUS_IMAGE");
    }

    /** podinfo, built from its Go module, under the public name the walkthrough's manifests use. */
    public String podinfoImage() {
        return environment.value("PODINFO_IMAGE");
    }

    /** A small image with curl and a shell, for the walkthrough's {@code frontend} and test pods. */
    public String clientImage() {
        return environment.value("CLIENT_IMAGE");
    }

    /**
     * The cluster's node address on the Docker network: reachable from the other cluster's pods and
     * from this host; east's LoadBalancer Services get it as their address.
     */
    public String nodeAddress(String cluster) {
        K3sContainer node = nodes.get(requireNonNull(cluster, "cluster"));
        if (node == null) {
            throw new IllegalArgumentException("cluster: " + cluster + " (expected: one of " + NAMES + ")");
        }
        return node.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
    }

    /** The Docker container ids of the nodes, by cluster, for the {@code up}/{@code down} commands. */
    Map<String, String> containerIds() {
        Map<String, String> ids = new LinkedHashMap<>();
        nodes.forEach((name, node) -> ids.put(name, node.getContainerId()));
        return ids;
    }

    /** Stops both clusters and what was started for them; fails when anything is left behind. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RUNNING.remove(this);
        List<String> ids = new ArrayList<>(containerIds().values());
        stopAll(nodes.values());
        List<String> left = remainingContainers(ids);
        deleteRecursively(directory);
        TestEnvironment.releaseEngine(environment.tools(), holder);
        if (!left.isEmpty()) {
            throw new IllegalStateException("containers left after stopping the clusters: " + left + " (expected: none)");
        }
    }

    static List<String> remainingContainers(List<String> ids) {
        List<String> left = new ArrayList<>();
        for (String id : ids) {
            if (id != null && Command.of(Duration.ofSeconds(30), "docker", "container", "inspect", id).succeeds()) {
                left.add(id);
            }
        }
        return left;
    }

    private static void stopAll(Iterable<K3sContainer> nodes) {
        for (K3sContainer node : nodes) {
            try {
                node.stop();
            } catch (RuntimeException e) {
                System.err.println("stopping a k3s node failed: " + e);
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("stopping the two clusters failed: " + e.getMessage());
        }
    }

    private static void releaseQuietly(Path tools, String holder) {
        try {
            TestEnvironment.releaseEngine(tools, holder);
        } catch (RuntimeException e) {
            System.err.println("releasing the Docker engine failed: " + e.getMessage());
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing else depends on its removal
        }
    }

    @Override
    public String toString() {
        return "TwoClusters" + NAMES + " (engine holder " + holder + ")";
    }
}
