package dev.isthmus.benchmarks.load;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Where the CPU time of a window went: per role (the threads of an event loop group), the whole
 * process, and the whole machine. On a shared machine the last one says how much of the noise came
 * from other processes. Everything is CPU time, in nanoseconds, not wall time. Beside it, the heap
 * each role allocated: unlike CPU time, a busy machine does not change it.
 */
final class CpuMeter {

    /**
     * CPU time consumed by each role, the process and the machine between two readings.
     *
     * @param syscalls per role, read and write system calls ({@code syscr}, {@code syscw} of {@code /proc/<pid>/task/<tid>/io}):
     *     on loopback most of an I/O thread's kernel time is in them
     * @param allocated per role, the bytes of heap its threads allocated
     * @param waited per role, nanoseconds its threads were ready to run but waited for a core ({@code run_delay} of
     *     {@code schedstat}): on a machine with fewer cores than busy threads, latency that no code of theirs caused
     */
    record Usage(Map<String, Long> roles, Map<String, long[]> syscalls, Map<String, Long> allocated, Map<String, Long> waited,
            long process, long machine, long wallNanos, long jitMillis) {
        long role(String name) {
            return roles.getOrDefault(name, 0L);
        }

        long allocated(String role) {
            return allocated.getOrDefault(role, 0L);
        }

        /** Nanoseconds {@code role}'s threads (a child's I/O threads) waited for a core while ready to run; -1 if unknown. */
        long waited(String role) {
            return waited.getOrDefault(role, -1L);
        }

        /** Whether {@code role} is threads of this JVM, with system calls and heap bytes of its own; not a child process. */
        boolean hasThreadDetail(String role) {
            return allocated.containsKey(role);
        }

        long reads(String role) {
            return syscalls.getOrDefault(role, new long[2])[0];
        }

        long writes(String role) {
            return syscalls.getOrDefault(role, new long[2])[1];
        }

        /** Process CPU not spent on any role's threads: JIT, GC, timers, acceptors. */
        long otherInProcess() {
            return process - roles.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Average number of cores other processes kept busy during the window. */
        double otherProcessesCores() {
            return machine < 0 ? Double.NaN : Math.max(0, machine - process) / (double) wallNanos;
        }
    }

    /** What the kernel calls a thread of Netty's default I/O groups ({@code comm} holds 15 characters). */
    private static final String IO_THREAD_COMM = "multiThreadIoEv";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.ThreadMXBean heap = (com.sun.management.ThreadMXBean) threads;
    private final Map<String, long[]> roles = new LinkedHashMap<>();
    private final Map<String, List<String>> nativeThreads = new LinkedHashMap<>();
    private final Map<String, Long> processes = new LinkedHashMap<>();

    CpuMeter() {
        if (!threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
    }

    /** Counts the threads of {@code group} as {@code role}; asks each event loop for its own thread. */
    CpuMeter role(String role, EventExecutorGroup group) throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        List<String> tids = nativeThreads.computeIfAbsent(role, r -> new ArrayList<>());
        for (EventExecutor executor : group) {
            try {
                ids.add(executor.submit(() -> Thread.currentThread().getId()).get());
                tids.add(executor.submit(CpuMeter::nativeThreadId).get());
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        long[] merged = roles.getOrDefault(role, new long[0]);
        long[] all = new long[merged.length + ids.size()];
        System.arraycopy(merged, 0, all, 0, merged.length);
        for (int i = 0; i < ids.size(); i++) {
            all[merged.length + i] = ids.get(i);
        }
        roles.put(role, all);
        return this;
    }

    /**
     * Counts as {@code role} the live threads whose name starts with {@code prefix} and that no role has yet:
     * threads of groups the harness cannot reach, such as the gateway's acceptor.
     */
    CpuMeter roleByName(String role, String prefix) {
        Set<Long> taken = new HashSet<>();
        roles.values().forEach(ids -> Arrays.stream(ids).forEach(taken::add));
        long[] ids = Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(info -> info != null && info.getThreadName().startsWith(prefix) && !taken.contains(info.getThreadId()))
                .mapToLong(ThreadInfo::getThreadId).toArray();
        roles.put(role, ids);
        return this;
    }

    /**
     * Counts the whole child process {@code pid} as {@code role}: a gateway in a JVM of its own, whose CPU the kernel counts
     * ({@link ProcessCpu}, 10 ms ticks: read it over windows of seconds). All its threads count, its collector's and its JIT
     * compilers' included, and its compilers' time is added to the reading's JIT figure. The kernel does not say which of its
     * system calls and bytes of heap are whose, so a process role has neither ({@link Usage#hasThreadDetail}).
     */
    CpuMeter process(String role, long pid) {
        processes.put(role, pid);
        return this;
    }

    /** A reading now; {@link #since} turns two into a {@link Usage}. */
    Reading read() {
        Map<String, Long> byRole = new LinkedHashMap<>();
        Map<String, Long> allocated = new LinkedHashMap<>();
        roles.forEach((role, ids) -> {
            long sum = 0;
            for (long id : ids) {
                sum += Math.max(0, threads.getThreadCpuTime(id));
            }
            byRole.put(role, sum);
            long bytes = 0;
            for (long perThread : heap.getThreadAllocatedBytes(ids)) {
                bytes += Math.max(0, perThread);
            }
            allocated.put(role, bytes);
        });
        Map<String, long[]> syscalls = new LinkedHashMap<>();
        nativeThreads.forEach((role, tids) -> {
            long[] sum = new long[2];
            for (String tid : tids) {
                long[] counts = syscalls(tid);
                sum[0] += counts[0];
                sum[1] += counts[1];
            }
            syscalls.put(role, sum);
        });
        Map<String, Long> waited = new LinkedHashMap<>();
        nativeThreads.forEach((role, tids) -> {
            long sum = 0;
            for (String tid : tids) {
                if (tid != null) { // null: /proc did not name the thread, as for its system calls
                    sum += Math.max(0, runDelay(Path.of("/proc/self/task", tid, "schedstat")));
                }
            }
            waited.put(role, sum);
        });
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        for (Map.Entry<String, Long> child : processes.entrySet()) {
            ProcessCpu cpu = ProcessCpu.of(child.getValue());
            byRole.put(child.getKey(), cpu.totalMillis() * 1_000_000L);
            waited.put(child.getKey(), ioThreadsRunDelay(child.getValue()));
            process += cpu.totalMillis() * 1_000_000L; // the children are part of what this run, not the machine's others, used
            jit += cpu.jitMillis();
        }
        return new Reading(byRole, syscalls, allocated, waited, process, machineBusyNanos(), System.nanoTime(), jit);
    }

    /**
     * The run-queue wait of a child gateway's I/O threads (Netty's {@code multiThreadIoEventLoopGroup-…}, which the kernel
     * names {@code multiThreadIoEv}): the threads on a request's path, not its compilers' or collector's.
     */
    private static long ioThreadsRunDelay(long pid) {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                if (Files.readString(task.resolve("comm")).startsWith(IO_THREAD_COMM)) {
                    sum += Math.max(0, runDelay(task.resolve("schedstat")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended, or no /proc: what was read so far stands
        }
        return sum;
    }

    /** The second field of a {@code schedstat} file: nanoseconds spent ready to run, waiting for a core; -1 if unreadable. */
    static long runDelay(Path schedstat) {
        try {
            return Long.parseLong(Files.readString(schedstat).trim().split("\\s+")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The Linux thread id of the calling thread, which Java 17 does not expose: {@code /proc/thread-self} names it. */
    private static String nativeThreadId() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            return self.getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** {@code syscr} and {@code syscw} of one thread of this process; zeros if unreadable. */
    private static long[] syscalls(String tid) {
        long[] counts = new long[2];
        if (tid == null) {
            return counts;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task", tid, "io"))) {
                if (line.startsWith("syscr:")) {
                    counts[0] = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    counts[1] = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no permission: no syscall counts
        }
        return counts;
    }

    /** @param jit milliseconds the JIT compilers spent so far: still compiling in a window means too short a warmup */
    record Reading(Map<String, Long> roles, Map<String, long[]> syscalls, Map<String, Long> allocated, Map<String, Long> waited,
            long process, long machine, long wall, long jit) {
        Usage since(Reading start) {
            Map<String, Long> delta = new LinkedHashMap<>();
            roles.forEach((role, nanos) -> delta.put(role, nanos - start.roles.getOrDefault(role, 0L)));
            Map<String, Long> bytes = new LinkedHashMap<>();
            allocated.forEach((role, total) -> bytes.put(role, total - start.allocated.getOrDefault(role, 0L)));
            Map<String, long[]> calls = new LinkedHashMap<>();
            syscalls.forEach((role, counts) -> {
                long[] before = start.syscalls.getOrDefault(role, new long[2]);
                calls.put(role, new long[] {counts[0] - before[0], counts[1] - before[1]});
            });
            long machineDelta = machine < 0 || start.machine < 0 ? -1 : machine - start.machine;
            Map<String, Long> waits = new LinkedHashMap<>();
            waited.forEach((role, nanos) -> waits.put(role, nanos - start.waited.getOrDefault(role, 0L)));
            return new Usage(delta, calls, bytes, waits, process - start.process, machineDelta, wall - start.wall, jit - start.jit);
        }
    }

    /** Busy time of all CPUs from {@code /proc/stat} (user+nice+system+irq+softirq+steal), -1 if unreadable. */
    static long machineBusyNanos() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busyTicks = 0;
            int[] busy = {1, 2, 3, 6, 7, 8}; // user nice system (idle iowait) irq softirq steal
            for (int i : busy) {
                busyTicks += Long.parseLong(fields[i]);
            }
            return busyTicks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
