package dev.isthmus.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The memory of a process as the kernel sees it, from {@code /proc/<pid>/status}, in KiB. */
record ProcessMemory(long rssKib, long peakRssKib, long anonKib, long fileKib, int threads) {

    static ProcessMemory of(long pid) throws IOException {
        Map<String, String> fields = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return new ProcessMemory(kib(fields, "VmRSS"), kib(fields, "VmHWM"), kib(fields, "RssAnon"), kib(fields, "RssFile"),
                Integer.parseInt(fields.getOrDefault("Threads", "0")));
    }

    /** Open file descriptors of the process, from {@code /proc/<pid>/fd}. */
    static long openFiles(long pid) throws IOException {
        try (var entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return entries.count();
        }
    }

    /** The soft and hard limits on open files, from {@code /proc/<pid>/limits}. */
    static String fileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                return parts[0] + " (hard " + parts[1] + ")";
            }
        }
        return "unknown";
    }

    private static long kib(Map<String, String> fields, String name) {
        String value = fields.get(name);
        return value == null ? -1 : Long.parseLong(value.replace("kB", "").trim());
    }
}
