package dev.isthmus.gateway.warmup;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much the JIT has compiled so far, in milliseconds, for telling when it has gone quiet: on Linux the CPU time of
 * this JVM's compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…} in {@code /proc/self/task}), which
 * grows while a compilation runs; elsewhere the {@link CompilationMXBean}'s total, which grows only as compilations
 * end (a C2 compilation of seconds looks quiet until it is done).
 */
public final class JitCpu {

    private static final Path TASKS = Path.of("/proc/self/task");
    /** Clock ticks of {@code /proc} stat files: USER_HZ, 100 on Linux. */
    private static final long MILLIS_PER_TICK = 10;

    private JitCpu() {}

    /** Milliseconds so far; -1 if neither source is available. */
    public static long millis() {
        long fromThreads = compilerThreadMillis(TASKS);
        if (fromThreads >= 0) {
            return fromThreads;
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** The compiler threads' user + system time under {@code tasks} (a {@code /proc/<pid>/task}); -1 if there is none to read. */
    static long compilerThreadMillis(Path tasks) {
        long ticks = 0;
        boolean found = false;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        long cpu = cpuTicks(Files.readString(task.resolve("stat")));
                        if (cpu >= 0) {
                            ticks += cpu;
                            found = true;
                        }
                    }
                } catch (IOException e) {
                    // the thread ended while listed: its time no longer counts, which only makes the JIT look quieter
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return found ? ticks * MILLIS_PER_TICK : -1;
    }

    /**
     * utime + stime of a {@code stat} line, or -1 if it is not one. The thread's name, in parentheses, may hold spaces
     * and parentheses, so the fields are counted from the last {@code ')'}: state is the first after it, utime the 12th.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 > stat.length()) {
            return -1;
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+", 15);
        if (fields.length < 14) {
            return -1;
        }
        try {
            long user = Long.parseLong(fields[11]);
            long system = Long.parseLong(fields[12]);
            return user < 0 || system < 0 || user > Long.MAX_VALUE / 2 || system > Long.MAX_VALUE / 2 ? -1 : user + system;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
