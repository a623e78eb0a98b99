package dev.isthmus.benchmarks.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of another process as the kernel counts it ({@code /proc/<pid>/stat}, {@code /proc/<pid>/task/<tid>/stat}),
 * in milliseconds: all its threads, and those of its JIT compilers ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}),
 * which say whether it is still compiling.
 */
record ProcessCpu(long totalMillis, long jitMillis) {

    /** Clock ticks of {@code /proc} stat files: USER_HZ, 100 on Linux. */
    private static final long MILLIS_PER_TICK = 10;

    /** Now; zeros for a process that is gone or a system without {@code /proc}. */
    static ProcessCpu of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        long total = ticks(proc.resolve("stat"));
        long jit = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                String name = Files.readString(task.resolve("comm")).strip();
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    jit += ticks(task.resolve("stat"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // a thread ended while listed, or no /proc: what was read so far stands
        }
        return new ProcessCpu(Math.max(0, total) * MILLIS_PER_TICK, jit * MILLIS_PER_TICK);
    }

    ProcessCpu since(ProcessCpu start) {
        return new ProcessCpu(totalMillis - start.totalMillis, jitMillis - start.jitMillis);
    }

    /** utime + stime of a stat line; the name in parentheses may hold spaces, so the fields count from its ')'. */
    static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // After the name: state(0) ppid(1) … utime(11) stime(12).
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long ticks(Path stat) {
        try {
            return ticks(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
