package dev.isthmus.mirror.controller;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the HTTP requests a fabric8 client sends, by method ({@code GET}, {@code POST}…; a watch is a
 * GET): the cost of mirroring, as a metric and in the scale benchmark.
 */
public final class RequestCounter implements Interceptor {

    private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        byMethod.computeIfAbsent(request.method(), m -> new LongAdder()).increment();
    }

    public long total() {
        return byMethod.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> byMethod() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        byMethod.forEach((method, count) -> counts.put(method, count.sum()));
        return counts;
    }
}
