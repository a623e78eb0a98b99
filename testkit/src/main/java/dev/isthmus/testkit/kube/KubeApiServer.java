package dev.isthmus.testkit.kube;

import static java.util.Objects.requireNonNull;

import dev.isthmus.testkit.tools.BuiltTool;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real kube-apiserver backed by a real etcd, both on free 127.0.0.1 ports, for integration
 * tests. Flags follow controller-runtime's envtest: RBAC on, an admin in {@code system:masters},
 * and service-account tokens signed and verified as in a real cluster. No controllers run, so
 * nothing schedules pods or garbage-collects; tests create what they need.
 *
 * <p>The binaries come from {@code tools/kube-testenv/build.sh}; call {@link #assumeAvailable()}
 * first so a machine without them skips (or, in CI, fails) with the instruction to build them.
 */
public final class KubeApiServer implements AutoCloseable {

    public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;
    /**
     * A port is free when {@link LoopbackPorts} hands it out, not reserved: another process's outgoing
     * connection or port-0 bind can take it before the server binds it. The server then exits at once
     * saying so, and starting again on other ports is all it takes.
     */
    private static final int PORT_ATTEMPTS = 3;
    private static final String ADDRESS_IN_USE = "address already in use";

    /** Servers not yet closed; the shutdown hook kills them so a dying test JVM leaves nothing behind. */
    private static final Set<KubeApiServer> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> RUNNING.forEach(KubeApiServer::kill), "isthmus-kube-apiserver-reaper"));
    }

    private final String name;
    private final Path root;
    private final URI url;
    private final URI etcdUrl;
    private final ControlPlanePki pki;
    private final Path kubeconfig;
    private final ServerProcess etcd;
    private volatile ServerProcess apiserver;
    private List<String> apiServerArgs;
    private Path apiServerBinary;
    private volatile KubernetesClient client;
    private boolean closed;

    private KubeApiServer(String name, Path root, URI url, URI etcdUrl, ControlPlanePki pki, Path kubeconfig,
            ServerProcess etcd, ServerProcess apiserver) {
        this.name = name;
        this.root = root;
        this.url = url;
        this.etcdUrl = etcdUrl;
        this.pki = pki;
        this.kubeconfig = kubeconfig;
        this.etcd = etcd;
        this.apiserver = apiserver;
    }

    /**
     * Starts etcd and kube-apiserver and returns once {@code /readyz} answers 200.
     *
     * @param name the cluster's name, also the kubeconfig's context name: a DNS label such as {@code east}
     */
    public static KubeApiServer start(String name) {
        return start(name, List.of());
    }

    /**
     * As {@link #start(String)}, with kube-apiserver flags added after the defaults (a later flag wins),
     * e.g. {@code --service-cluster-ip-range=10.96.0.0/16} for more than the default 254 Services.
     */
    public static KubeApiServer start(String name, List<String> extraApiServerFlags) {
        return start(name, extraApiServerFlags, LoopbackPorts::next);
    }

    /** As {@link #start(String, List)}, with the ports to try from {@code ports}, so a test can hand out a taken one. */
    static KubeApiServer start(String name, List<String> extraApiServerFlags, IntSupplier ports) {
        requireNonNull(name, "name");
        requireNonNull(extraApiServerFlags, "extraApiServerFlags");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: a DNS label, e.g. east)");
        }
        Path bin = binDir();
        if (!binariesPresent(bin)) {
            throw new IllegalStateException(missingBinariesMessage(bin));
        }
        for (int attempt = 1; ; attempt++) {
            Path root;
            try {
                root = Files.createTempDirectory("isthmus-kube-" + name + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for kube-apiserver '" + name + "'", e);
            }
            try {
                return launch(name, bin, root, extraApiServerFlags, ports);
            } catch (PortTaken e) {
                deleteRecursively(root);
                if (attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                System.err.println("kube-apiserver '" + name + "': " + e.getMessage().lines().findFirst().orElse("")
                        + "; starting again on other ports");
            } catch (IOException e) {
                deleteRecursively(root);
                throw new UncheckedIOException("cannot start kube-apiserver '" + name + "'", e);
            } catch (RuntimeException e) {
                deleteRecursively(root);
                throw e;
            }
        }
    }

    private static KubeApiServer launch(String name, Path bin, Path root, List<String> extraApiServerFlags,
            IntSupplier ports) throws IOException {
        ControlPlanePki pki = new ControlPlanePki(name);
        URI etcdUrl = URI.create("http://127.0.0.1:" + ports.getAsInt());
        URI url = URI.create("https://127.0.0.1:" + ports.getAsInt());
        Path kubeconfig = Files.writeString(root.resolve("kubeconfig"), AdminKubeconfig.render(name, url, pki));
        ApiServerFlags.PkiFiles pkiFiles = writePki(pki, root.resolve("apiserver/pki"));

        ServerProcess etcd = ServerProcess.start("etcd", bin.resolve("etcd"),
                EtcdFlags.of(name, etcdUrl, root.resolve("etcd/data")), root.resolve("etcd"));
        ServerProcess apiserver;
        List<String> apiServerArgs = new java.util.ArrayList<>(
                ApiServerFlags.of(url, etcdUrl, pkiFiles, root.resolve("apiserver/certs")));
        apiServerArgs.addAll(extraApiServerFlags);
        try {
            apiserver = ServerProcess.start("kube-apiserver", bin.resolve("kube-apiserver"), apiServerArgs,
                    root.resolve("apiserver"));
        } catch (IOException | RuntimeException e) {
            etcd.kill();
            throw e;
        }
        KubeApiServer server = new KubeApiServer(name, root, url, etcdUrl, pki, kubeconfig, etcd, apiserver);
        server.apiServerArgs = apiServerArgs;
        server.apiServerBinary = bin.resolve("kube-apiserver");
        RUNNING.add(server);
        try {
            server.awaitReady();
            server.client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                    .build();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Where the binaries are: {@code $ISTHMUS_KUBE_BIN}, else {@code current/bin} in build.sh's cache. */
    public static Path binDir() {
        String explicit = System.getenv("ISTHMUS_KUBE_BIN");
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        String cache = System.getenv("ISTHMUS_KUBE_CACHE");
        Path cacheDir = cache != null && !cache.isBlank()
                ? Paths.get(cache)
                : Paths.get(System.getProperty("user.home"), ".cache", "isthmus", "kube-testenv");
        return cacheDir.resolve("current").resolve("bin");
    }

    /**
     * kubectl for tests that run it ({@code kubectl apply --dry-run=server}, {@code kubectl kustomize}): the one
     * on {@code PATH}, else the one {@code tools/kube-testenv/build.sh} builds into {@link #binDir()}, so machines
     * without kubectl installed (CI) run those checks too. Empty when neither is there.
     */
    public static Optional<Path> kubectl() {
        return kubectl(System.getenv().getOrDefault("PATH", ""), binDir());
    }

    static Optional<Path> kubectl(String path, Path binDir) {
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(entry, "kubectl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        Path built = binDir.resolve("kubectl");
        return Files.isRegularFile(built) && Files.isExecutable(built) ? Optional.of(built) : Optional.empty();
    }

    /**
     * Skips the calling test when the binaries have not been built. In CI (env {@code CI} set) a
     * skip would hide that the tests never ran, so it fails instead.
     */
    public static synchronized void assumeAvailable() {
        Path bin = binDir();
        if (binariesPresent(bin)) {
            return;
        }
        if (System.getenv("ISTHMUS_KUBE_BIN") == null && buildOnDemand() && binariesPresent(binDir())) {
            return;
        }
        String message = missingBinariesMessage(bin);
        if (System.getenv("CI") != null) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }

    /**
     * Builds the binaries with {@code tools/kube-testenv/build.sh} when the repository is at hand, so the
     * README's one test command is complete on a fresh clone (the first build takes a few minutes).
     */
    private static boolean buildOnDemand() {
        System.err.println("kube-apiserver and etcd not built yet; running tools/kube-testenv/build.sh (a few minutes, once)");
        return BuiltTool.runBuildScript("tools/kube-testenv/build.sh", Duration.ofMinutes(30));
    }

    public String name() {
        return name;
    }

    /** The API server's address, {@code https://127.0.0.1:<port>}. */
    public URI url() {
        return url;
    }

    /** An admin kubeconfig with embedded credentials; its context is named {@link #name()}. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** An admin client owned by this server: closed by {@link #close()}, not by the caller. */
    public KubernetesClient client() {
        return client;
    }

    /**
     * A token for {@code system:serviceaccount:<namespace>:<serviceAccount>}, creating the
     * namespace and service account if they are absent. An empty {@code audiences} means the
     * API server's own audience, {@link #SERVICE_ACCOUNT_ISSUER}.
     */
    public String serviceAccountToken(String namespace, String serviceAccount, List<String> audiences) {
        return ServiceAccountTokens.mint(client, requireNonNull(namespace, "namespace"),
                requireNonNull(serviceAccount, "serviceAccount"), requireNonNull(audiences, "audiences"));
    }

    /**
     * Stops kube-apiserver (SIGTERM), leaving etcd running: clients see the API server go away, as
     * when a cluster's control plane is down. {@link #startApiServer()} brings it back.
     */
    public synchronized void stopApiServer() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        apiserver.stop(STOP_GRACE);
    }

    /**
     * Starts kube-apiserver again on the same port, with the same etcd (so every object is still
     * there) and PKI, and returns once it is ready.
     */
    public synchronized void startApiServer() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (apiserver.isAlive()) {
            return;
        }
        try {
            apiserver = ServerProcess.start("kube-apiserver", apiServerBinary, apiServerArgs, root.resolve("apiserver"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart kube-apiserver '" + name + "'", e);
        }
        awaitReady();
    }

    /** etcd's client URL, for tests that check what this server leaves behind. */
    URI etcdUrl() {
        return etcdUrl;
    }

    /**
     * Stops kube-apiserver, then etcd (the other order leaves the API server failing against a
     * vanished store while it drains), and deletes both servers' files.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.close();
        }
        apiserver.stop(STOP_GRACE);
        etcd.stop(STOP_GRACE);
        deleteRecursively(root);
        RUNNING.remove(this);
    }

    @Override
    public String toString() {
        return "KubeApiServer[" + name + " " + url + "]";
    }

    private void kill() {
        apiserver.kill();
        etcd.kill();
        deleteRecursively(root);
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(pki.adminSslContext())
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        HttpRequest readyz = HttpRequest.newBuilder(url.resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            for (ServerProcess process : List.of(etcd, apiserver)) {
                if (!process.isAlive()) {
                    String message = process.name() + " for '" + name + "' exited with code "
                            + process.exitValue() + " during startup" + logTails();
                    throw process.tail(LOG_TAIL_LINES).contains(ADDRESS_IN_USE)
                            ? new PortTaken(message)
                            : new IllegalStateException(message);
                }
            }
            try {
                HttpResponse<String> response = http.send(readyz, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for kube-apiserver '" + name + "'", e);
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("kube-apiserver '" + name + "' at " + url + " not ready within "
                + READY_TIMEOUT.toSeconds() + " s; last /readyz: " + lastAnswer + logTails());
    }

    private String logTails() {
        return "\n--- etcd (last " + LOG_TAIL_LINES + " lines) ---\n" + etcd.tail(LOG_TAIL_LINES)
                + "\n--- kube-apiserver (last " + LOG_TAIL_LINES + " lines) ---\n" + apiserver.tail(LOG_TAIL_LINES);
    }

    private static ApiServerFlags.PkiFiles writePki(ControlPlanePki pki, Path dir) throws IOException {
        Files.createDirectories(dir);
        return new ApiServerFlags.PkiFiles(
                Files.writeString(dir.resolve("ca.crt"), pki.ca.certificatePem()),
                Files.writeString(dir.resolve("serving.crt"), pki.serving.certificatePem()),
                Files.writeString(dir.resolve("serving.key"), pki.serving.privateKeyPem()),
                Files.writeString(dir.resolve("service-account.pub"),
                        Pem.publicKey(pki.serviceAccountSigner.getPublic())),
                Files.writeString(dir.resolve("service-account.key"), Pem.ecPrivateKey(pki.serviceAccountSigner)));
    }

    private static boolean binariesPresent(Path bin) {
        return Files.isExecutable(bin.resolve("kube-apiserver")) && Files.isExecutable(bin.resolve("etcd"));
    }

    private static String missingBinariesMessage(Path bin) {
        return "kube-apiserver and etcd not found in " + bin
                + ": run tools/kube-testenv/build.sh (or point ISTHMUS_KUBE_BIN at a directory holding both)";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** A server of this control plane exited because a port handed to it was taken meanwhile. */
    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }
}
