package dev.isthmus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the {@code rps} and {@code cross} modes put their gateways: in a JVM of their own ({@code --gateways processes}) a
 * real gateway serves real mTLS load and its process's CPU is counted; placements and CPU lists it cannot honour are refused
 * before anything starts.
 */
class GatewaysTest {

    @Test
    void aGatewayInAProcessOfItsOwnServesLoadAndItsCpuIsCounted() throws Exception {
        Options options = rps("--gateways", "processes");
        LoadPki pki = LoadPki.create();
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-load-client"),
                NioIoHandler.newFactory());
        try (TrivialBackend backend = new TrivialBackend();
                Gateways gateways = Gateways.east(options, pki, 1, backend.port())) {
            assertThat(gateways.eastInJvm()).isEmpty();
            assertThat(gateways.placement()).contains("--gateways processes").contains(GatewayProcess.MANIFEST_JVM);
            CpuMeter cpu = gateways.count(new CpuMeter().role("generator", clients), "gateway");
            List<LoadLoop> loops = LoadLoop.on(clients);
            Future<Lane> lane = Http2Lane.open(loops.get(0), gateways.eastAddress(), pki.peerContext(true), 4);
            LoadLoop.awaitOpen(List.of(lane));

            LoadPhase.Result result = LoadPhase.closed("through the child", loops, Duration.ofMillis(200), Duration.ofSeconds(2), cpu);

            assertThat(result.failed()).isZero();
            assertThat(result.completed()).isPositive();
            // The child's whole process, counted by the kernel in 10 ms ticks: two seconds of load are well above one.
            assertThat(result.cpu().role("gateway")).isPositive();
            assertThat(result.cpu().waited("gateway")).isNotNegative();
            // No thread of this JVM is the gateway's: its system calls and heap bytes are not ours to read.
            assertThat(result.cpu().hasThreadDetail("gateway")).isFalse();
            assertThat(RpsMode.bytesPerRequest("gateway", result)).isEqualTo("n/a");
            assertThat(result.cpu().hasThreadDetail("generator")).isTrue();
            loops.get(0).executor().submit(loops.get(0)::closeAll).sync();
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void threadsAreTheDefaultPlacement() {
        assertThat(Gateways.inProcesses(rps())).isFalse();
        assertThat(Gateways.inProcesses(rps("--gateways", "processes", "--gateway-cpus", "1"))).isTrue();
        assertThat(Gateways.inProcesses(cross("--gateways", "processes", "--gateway-cpus", "0,2-3"))).isTrue();
    }

    @Test
    void refusesAPlacementItDoesNotKnow() {
        assertThatThrownBy(() -> Gateways.inProcesses(rps("--gateways", "pods")))
                .isInstanceOf(Options.UsageException.class)
                .hasMessage("--gateways pods (expected: threads or processes)");
    }

    @Test
    void refusesCpusForGatewaysThatShareThisJvm() {
        assertThatThrownBy(() -> Gateways.inProcesses(rps("--gateway-cpus", "1")))
                .isInstanceOf(Options.UsageException.class)
                .hasMessageContaining("--gateway-cpus 1 with --gateways threads (expected: --gateways processes");
    }

    @Test
    void refusesACpuListTasksetWouldNotTake() {
        for (String hostile : List.of("1;reboot", "-1", "1,", "a", "1 2", "$(id)")) {
            assertThatThrownBy(() -> Gateways.inProcesses(rps("--gateways", "processes", "--gateway-cpus", hostile)))
                    .isInstanceOf(Options.UsageException.class)
                    .hasMessage("--gateway-cpus " + hostile + " (expected: a CPU list as taskset takes it, such as 1, 2-3 or 0,2)");
        }
    }

    @Test
    void readsTheRunQueueWaitOfASchedstatFile(@TempDir Path dir) throws Exception {
        Path schedstat = Files.writeString(dir.resolve("schedstat"), "68828890 850513 45\n");
        assertThat(CpuMeter.runDelay(schedstat)).isEqualTo(850_513);
        assertThat(CpuMeter.runDelay(Files.writeString(dir.resolve("short"), "68828890\n"))).isEqualTo(-1);
        assertThat(CpuMeter.runDelay(dir.resolve("missing"))).isEqualTo(-1);
    }

    @Test
    void splitsJvmFlagsOnAnyWhitespace() {
        assertThat(GatewayProcess.flags("  -Xmx160m \t -XX:+UseSerialGC\n")).containsExactly("-Xmx160m", "-XX:+UseSerialGC");
        assertThat(GatewayProcess.flags("")).isEmpty();
    }

    private static Options rps(String... args) {
        return parse("rps", RpsMode.OPTIONS, args);
    }

    private static Options cross(String... args) {
        return parse("cross", CrossMode.OPTIONS, args);
    }

    private static Options parse(String mode, Map<String, String> defaults, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = mode;
        System.arraycopy(args, 0, all, 1, args.length);
        return Options.parse(all, 1, defaults);
    }
}
