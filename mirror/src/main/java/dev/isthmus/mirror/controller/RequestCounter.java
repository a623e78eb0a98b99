package dev.isthmus.mirror.controller;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the HTTP requests a fabric8 client sends, by method ({@code GET}, {@code POST}…; a watch is a
 * GET): the cost of mirroring, as a metric and in the scale benchmark. GETs that are not watches are
 * also counted by path, so a re-list (an informer listing again, e.g. after its watch expired) shows.
 */
public final class RequestCounter implements Interceptor {

    /** Object GETs name their object in the path: a long-running controller must not keep one counter per object. */
    private static final int MAX_PATHS = 256;

    private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> readsByPath = new ConcurrentHashMap<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        byMethod.computeIfAbsent(request.method(), m -> new LongAdder()).increment();
        if ("GET".equals(request.method()) && request.uri() != null && !isWatch(request.uri().getRawQuery())) {
            String path = String.valueOf(request.uri().getRawPath());
            LongAdder count = readsByPath.get(path);
            if (count == null && readsByPath.size() < MAX_PATHS) {
                count = readsByPath.computeIfAbsent(path, p -> new LongAdder());
            }
            if (count != null) {
                count.increment();
            }
        }
    }

    private static boolean isWatch(String query) {
        if (query == null) {
            return false;
        }
        for (String parameter : query.split("&")) {
            if (parameter.equals("watch=true") || parameter.equals("watch=1")) {
                return true;
            }
        }
        return false;
    }

    public long total() {
        return byMethod.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> byMethod() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        byMethod.forEach((method, count) -> counts.put(method, count.sum()));
        return counts;
    }

    /**
     * GETs of {@code path} that were not watches: for a collection such as {@code /api/v1/services}, its
     * LISTs (each page of a paginated list counts).
     */
    public long reads(String path) {
        LongAdder count = readsByPath.get(path);
        return count == null ? 0 : count.sum();
    }
}
