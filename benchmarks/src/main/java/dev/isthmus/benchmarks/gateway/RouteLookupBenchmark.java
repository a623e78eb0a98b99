package dev.isthmus.benchmarks.gateway;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing a connection: the cluster-domain check and the lookup of {@code name:port} in a table of
 * {@code services} exported services. Baseline: a plain HashMap lookup with a prebuilt key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class RouteLookupBenchmark {

    @Param({"100", "10000"})
    public int services;

    private RouteTable table;
    private Map<String, ExportedService> plain;
    private String name;
    private String key;

    @Setup
    public void setUp() {
        List<ExportedService> exported = new ArrayList<>();
        plain = new HashMap<>();
        for (int i = 0; i < services; i++) {
            ExportedService service = new ExportedService("svc-" + i + ".ns-" + (i % 50) + ".svc.cluster.local", 8080,
                    BackendProtocol.HTTP1, List.of(new Endpoint("10.0." + (i / 250) + "." + (i % 250), 8080, true)));
            exported.add(service);
            plain.put(service.target(), service);
        }
        table = new RouteTable("cluster.local", exported);
        int pick = services / 2;
        name = "svc-" + pick + ".ns-" + (pick % 50) + ".svc.cluster.local";
        key = name + ":8080";
    }

    @Benchmark
    public ExportedService route() {
        return table.isLocalServiceName(name) ? table.exported(name, 8080) : null;
    }

    @Benchmark
    public ExportedService baselineHashMapGet() {
        return plain.get(key);
    }
}
