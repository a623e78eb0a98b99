package dev.isthmus.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JIT's compiler time from {@code /proc/<pid>/task}, and stat lines that are not what they should be. */
class JitCpuTest {

    @Test
    void addsUpTheCompilerThreadsOnly(@TempDir Path tasks) throws Exception {
        task(tasks, "101", "C2 CompilerThre", "101 (C2 CompilerThre) S 1 1 1 0 -1 4194368 0 0 0 0 250 30 0 0 20 0 1 0 0 0 0");
        task(tasks, "102", "C1 CompilerThre", "102 (C1 CompilerThre) S 1 1 1 0 -1 4194368 0 0 0 0 40 2 0 0 20 0 1 0 0 0 0");
        task(tasks, "103", "epollEventLoopG", "103 (epollEventLoopG) S 1 1 1 0 -1 4194368 0 0 0 0 9000 900 0 0 20 0 1 0 0 0 0");
        // A name with a space and a parenthesis: the fields count from the last ')'.
        task(tasks, "104", "C2 CompilerThre", "104 (C2 CompilerThre) x) S 1 1 1 0 -1 4194368 0 0 0 0 8 0 0 0 20 0 1 0 0 0 0");

        assertThat(JitCpu.compilerThreadMillis(tasks)).isEqualTo((250 + 30 + 40 + 2 + 8) * 10L);
    }

    @Test
    void nothingToReadIsMinusOne(@TempDir Path tasks) throws Exception {
        assertThat(JitCpu.compilerThreadMillis(tasks.resolve("missing"))).isEqualTo(-1);
        assertThat(JitCpu.compilerThreadMillis(tasks)).isEqualTo(-1);
        task(tasks, "7", "main", "7 (main) S 1 1 1 0 -1 4194368 0 0 0 0 5 5 0 0 20 0 1 0 0 0 0");
        assertThat(JitCpu.compilerThreadMillis(tasks)).isEqualTo(-1);
    }

    @Test
    void aThreadWithoutItsFilesIsSkipped(@TempDir Path tasks) throws Exception {
        Files.createDirectories(tasks.resolve("8")); // ended between the listing and the reading
        task(tasks, "9", "C1 CompilerThre", "9 (C1 CompilerThre) S 1 1 1 0 -1 4194368 0 0 0 0 3 1 0 0 20 0 1 0 0 0 0");
        assertThat(JitCpu.compilerThreadMillis(tasks)).isEqualTo(40);
    }

    @Test
    void statLinesThatAreNotOneAreMinusOne() {
        for (String hostile : List.of("", ")", "no parenthesis at all 1 2 3", "1 (x) S 1 2", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 ten 5 0",
                "1 (x) S 1 1 1 0 -1 0 0 0 0 0 -5 5 0", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 99999999999999999999 5 0",
                "1 (x) S 1 1 1 0 -1 0 0 0 0 0 9223372036854775807 9223372036854775807 0", "1 (x)", "1 (x) " + " ".repeat(10_000))) {
            assertThat(JitCpu.cpuTicks(hostile)).as(hostile.strip()).isEqualTo(-1);
        }
        assertThat(JitCpu.cpuTicks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 12 3 0 0 20")).isEqualTo(15);
    }

    @Test
    void thisJvmHasACompilerClock() {
        assertThat(JitCpu.millis()).isGreaterThanOrEqualTo(0);
    }

    private static void task(Path tasks, String tid, String comm, String stat) throws Exception {
        Path task = Files.createDirectories(tasks.resolve(tid));
        Files.writeString(task.resolve("comm"), comm + "\n");
        Files.writeString(task.resolve("stat"), stat + "\n");
    }
}
