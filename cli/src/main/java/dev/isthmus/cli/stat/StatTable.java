package dev.isthmus.cli.stat;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code isthmus stat} prints, in the columns of {@code linkerd viz stat}: {@code -} where a
 * value cannot be known (no requests in the window, no latency histogram).
 */
public final class StatTable {

    static final String[] HEADER = {"SERVICE", "SUCCESS", "RPS", "LATENCY_P50", "LATENCY_P95", "LATENCY_P99", "TLS"};

    private StatTable() {}

    public static void print(List<ServiceStats> services, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (ServiceStats s : services) {
            rows.add(new String[] {s.service(), percent(s.successRate(), 2), rps(s.requestsPerSecond(), s.requests()),
                    latency(s.latency(0.5)), latency(s.latency(0.95)), latency(s.latency(0.99)), percent(s.tlsShare(), 0)});
        }
        print(rows, services.isEmpty(), out);
    }

    /** {@code stat trafficsplit}: each route's backends, their share of its requests, and how they fared (viz stat trafficsplit's columns). */
    public static void printSplits(List<BackendStats> leaves, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"APEX", "LEAF", "SHARE", "SUCCESS", "RPS", "LATENCY_P50", "LATENCY_P95", "LATENCY_P99", "TLS"});
        for (BackendStats leaf : leaves) {
            ServiceStats s = leaf.stats();
            rows.add(new String[] {leaf.route(), leaf.backend(), percent(leaf.share(), 0), percent(s.successRate(), 2),
                    rps(s.requestsPerSecond(), s.requests()), latency(s.latency(0.5)), latency(s.latency(0.95)),
                    latency(s.latency(0.99)), percent(s.tlsShare(), 0)});
        }
        print(rows, leaves.isEmpty(), out);
    }

    /** {@code stat links}: per remote cluster, what the gateways sent it. */
    public static void printLinks(List<ServiceStats> links, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"LINK", "REQUESTS", "SUCCESS", "RPS", "LATENCY_P50", "LATENCY_P99", "TLS"});
        for (ServiceStats s : links) {
            rows.add(new String[] {s.service(), String.format(Locale.ROOT, "%.0f", s.requests()), percent(s.successRate(), 2),
                    rps(s.requestsPerSecond(), s.requests()), latency(s.latency(0.5)), latency(s.latency(0.99)),
                    percent(s.tlsShare(), 0)});
        }
        print(rows, links.isEmpty(), out);
    }

    private static void print(List<String[]> rows, boolean empty, PrintWriter out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean last = i == row.length - 1;
                line.append(last ? row[i] : String.format("%-" + (widths[i] + 3) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        if (empty) {
            out.println("(no requests recorded by the gateways yet)");
        }
        out.flush();
    }

    static String percent(double share, int decimals) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f%%", share * 100);
    }

    static String rps(double rps, double requests) {
        return requests > 0 && Double.isFinite(rps) ? String.format(Locale.ROOT, "%.1frps", rps) : "-";
    }

    /** Milliseconds, as Linkerd shows them; a decimal under 10 ms, where the buckets are fine enough for one. */
    static String latency(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "-";
        }
        double ms = seconds * 1000;
        return ms < 10 ? String.format(Locale.ROOT, "%.1fms", ms) : String.format(Locale.ROOT, "%.0fms", ms);
    }
}
