package dev.isthmus.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a child JVM started from the same class path, with the JVM flags under test: an {@link IdleServer},
 * or a {@link WarmupServer} ({@link #east}, {@link #west}). Its stdout lines are read on a thread of their own, so the
 * harness never blocks on it for longer than a timeout; its stderr (the gateway's log) goes to ours.
 */
final class GatewayProcess implements AutoCloseable {

    /**
     * The gateway's JVM flags in deploy/multicluster/gateway.yaml ({@code JAVA_TOOL_OPTIONS}): the default of the
     * {@code idle} and {@code warmup} modes' {@code --jvm}, so both measure the gateway as deployed;
     * {@code ManifestFlagsTest} holds the two equal, and benchmarks/README.md says why each flag is there.
     */
    static final String MANIFEST_JVM = "-Xmx160m -Xms32m -Xmn16m -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000"
            + " -Dio.netty.handler.ssl.openssl.sessionCacheServer=false -Dio.netty.leakDetection.samplingInterval=4096";

    /** How long a {@link WarmupServer} may take to say it is ready: its own warm-up included. */
    private static final int WARMUP_SERVER_READY_SECONDS = 420;

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
    private final Map<String, String> ready;

    /** An {@link IdleServer}. */
    GatewayProcess(List<String> jvmFlags, Path dir, int ioThreads, int maxConnections) throws IOException, InterruptedException {
        this(jvmFlags, List.of("idle-server", "--dir", dir.toString(), "--io-threads", Integer.toString(ioThreads),
                "--max-connections", Integer.toString(maxConnections)), 60);
    }

    /**
     * Starts {@code GatewayLoad <mode and options>} with {@code jvmFlags} and waits (at most {@code readySeconds}) for
     * its {@code READY port=<port> [key=value …]} line.
     */
    GatewayProcess(List<String> jvmFlags, List<String> modeAndOptions, int readySeconds) throws IOException, InterruptedException {
        this(List.of(), jvmFlags, modeAndOptions, readySeconds);
    }

    /**
     * As {@link #GatewayProcess(List, List, int)}, the JVM started by {@code launcher} (such as {@code taskset -c 1}, which
     * keeps the gateway on the cores it names).
     */
    GatewayProcess(List<String> launcher, List<String> jvmFlags, List<String> modeAndOptions, int readySeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayLoad.class.getName()));
        command.addAll(modeAndOptions);
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.put(line);
                }
            } catch (IOException | InterruptedException e) {
                // the process ended; whoever waits for a line times out
            }
        }, "gateway-process-stdout");
        reader.setDaemon(true);
        reader.start();
        ready = IdleServer.parse(expect("READY ", readySeconds), "READY ");
    }

    /**
     * East of the cross path, or the gateway of {@code rps}: a {@link WarmupServer} exporting the backend on
     * {@code backendPort}, with the certificate {@link LoadPki#writeFiles} wrote to {@code dir} as {@code east}.
     *
     * @param gatewayWarmup seconds of the gateway's own warm-up before it is ready ({@code gateway run --warmup}), "0" for none
     */
    static GatewayProcess east(List<String> launcher, List<String> jvmFlags, Path dir, int ioThreads, int backendPort,
            String gatewayWarmup) throws IOException, InterruptedException {
        return new GatewayProcess(launcher, jvmFlags, List.of("warmup-server", "--role", "east", "--dir", dir.toString(), "--io-threads",
                Integer.toString(ioThreads), "--backend-port", Integer.toString(backendPort), "--gateway-warmup", gatewayWarmup),
                WARMUP_SERVER_READY_SECONDS);
    }

    /**
     * West of the cross path: a {@link WarmupServer} mirroring east's service on {@code mirrorPort}, ready once it has
     * probed east alive, with the certificate written to {@code dir} as {@code west}.
     */
    static GatewayProcess west(List<String> launcher, List<String> jvmFlags, Path dir, int ioThreads, int eastPort, int mirrorPort,
            String gatewayWarmup) throws IOException, InterruptedException {
        return new GatewayProcess(launcher, jvmFlags, List.of("warmup-server", "--role", "west", "--dir", dir.toString(), "--io-threads",
                Integer.toString(ioThreads), "--east-port", Integer.toString(eastPort), "--mirror-port", Integer.toString(mirrorPort),
                "--gateway-warmup", gatewayWarmup), WARMUP_SERVER_READY_SECONDS);
    }

    /** A {@code --jvm} option's value as the separate flags of a command line. */
    static List<String> flags(String jvm) {
        return Arrays.stream(jvm.trim().split("\\s+")).filter(flag -> !flag.isEmpty()).toList();
    }

    /** Deletes a folder made for child gateways (their certificates, keys and logs), and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return Integer.parseInt(ready.get("port"));
    }

    /** The {@code key=value} pairs of its {@code READY} line. */
    Map<String, String> ready() {
        return ready;
    }

    Map<String, String> stats() throws IOException, InterruptedException {
        send("stats");
        return IdleServer.parse(expect("STATS ", 10), "STATS ");
    }

    void gc() throws IOException, InterruptedException {
        send("gc");
        expect("OK", 30);
    }

    private void send(String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    private String expect(String prefix, int seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = lines.poll(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("the gateway process (pid " + process.pid() + ", "
                        + (process.isAlive() ? "alive" : "exited with " + process.exitValue()) + ") did not answer '"
                        + prefix.trim() + "' within " + seconds + " s");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            System.out.println("  [gateway process] " + line);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            send("quit");
            commands.close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
