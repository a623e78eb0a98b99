package dev.isthmus.mirror.controller;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The mirror controller's metrics, labelled {@code target_cluster_name} as Linkerd's are. */
public final class MirrorMetrics {

    final AtomicInteger mirrorServices = new AtomicInteger();
    /** 0 until a local gateway answers: a gauge that starts at 1 says "alive" about a gateway nobody has heard from. */
    final AtomicInteger gatewayAlive = new AtomicInteger(0);
    final Counter endpointRepairs;
    final Counter reconcileErrors;
    final Counter reconciles;

    public MirrorMetrics(MeterRegistry registry, String cluster, RequestCounter local, RequestCounter remote) {
        Gauge.builder("mirror_services", mirrorServices, AtomicInteger::get)
                .description("Mirrored Services this controller keeps").tag("target_cluster_name", cluster).register(registry);
        Gauge.builder("gateway_alive", gatewayAlive, AtomicInteger::get)
                .description("1 while a local gateway answers and says the link is alive; 0 before the first answer, while"
                        + " none answers, and while they say it is dead").tag("target_cluster_name", cluster)
                .register(registry);
        endpointRepairs = Counter.builder("service_mirror_endpoint_repairs")
                .description("Periodic repairs of every mirror").tag("target_cluster_name", cluster).register(registry);
        reconcileErrors = Counter.builder("mirror_reconcile_errors")
                .description("Reconciles that failed and were retried").tag("target_cluster_name", cluster).register(registry);
        reconciles = Counter.builder("mirror_reconciles")
                .description("Keys reconciled").tag("target_cluster_name", cluster).register(registry);
        FunctionCounter.builder("mirror_api_requests", local, RequestCounter::total)
                .description("HTTP requests to an API server").tags("target_cluster_name", cluster, "cluster", "local")
                .register(registry);
        FunctionCounter.builder("mirror_api_requests", remote, RequestCounter::total)
                .description("HTTP requests to an API server").tags("target_cluster_name", cluster, "cluster", "target")
                .register(registry);
    }
}
