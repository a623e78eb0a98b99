package dev.isthmus.gateway.admin;

import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.OutboundRoute.WeightedBackend;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tap.JsonText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The body of {@code GET /dashboard.json}: what the dashboard page shows besides {@code /links} and the tap,
 * as cumulative totals (the page turns two polls into rates and live shares):
 * <pre>
 * {"time":"…","exported":[{"service":"podinfo.test.svc.cluster.local:9898","endpoints":1,"ready":1}],
 *  "routes":[{"route":"podinfo","port":4180,"backends":[{"backend":"local","weight":50,"requests":12}, …]}],
 *  "inbound":[{"service":"…","requests":{"2xx":10},"latencySeconds":0.12}],
 *  "outbound":[{"service":"podinfo","requests":{"2xx":10,"5xx":1},"latencySeconds":0.3}],
 *  "refusals":{"not_exported":1,"no_client_certificate":1}}
 * </pre>
 * {@code latencySeconds} is the total time of the requests counted, so a difference over a difference of
 * counts is a mean latency.
 */
final class DashboardJson {

    private DashboardJson() {}

    static String render(RouteTable routes, MeterRegistry registry) {
        StringBuilder json = new StringBuilder(1024).append("{\"time\":");
        JsonText.string(json, Instant.now().toString());
        json.append(",\"exported\":[");
        boolean first = true;
        for (ExportedService service : routes.exportedServices()) {
            json.append(first ? "" : ",").append("{\"service\":");
            JsonText.string(json, service.target());
            json.append(",\"endpoints\":").append(service.endpoints().size());
            json.append(",\"ready\":").append(service.endpoints().stream().filter(Endpoint::ready).count()).append('}');
            first = false;
        }
        json.append("],\"routes\":[");
        Map<String, Map<String, Double>> byBackend = new TreeMap<>();
        for (Counter counter : registry.find("isthmus.gateway.outbound.requests").counters()) {
            byBackend.computeIfAbsent(counter.getId().getTag("route"), r -> new TreeMap<>())
                    .merge(counter.getId().getTag("backend"), counter.count(), Double::sum);
        }
        first = true;
        for (OutboundRoute route : new TreeMap<>(routes.outboundRoutes()).values()) {
            json.append(first ? "" : ",").append("{\"route\":");
            JsonText.string(json, route.name());
            json.append(",\"port\":").append(route.port()).append(",\"backends\":[");
            Map<String, Double> counts = byBackend.getOrDefault(route.name(), Map.of());
            boolean firstBackend = true;
            for (WeightedBackend backend : route.backends()) {
                String label = backend.backend() instanceof RemoteTarget remote ? remote.link() : "local";
                json.append(firstBackend ? "" : ",").append("{\"backend\":");
                JsonText.string(json, label);
                json.append(",\"weight\":").append(backend.weight());
                json.append(",\"requests\":").append(Math.round(counts.getOrDefault(label, 0.0))).append('}');
                firstBackend = false;
            }
            json.append("]}");
            first = false;
        }
        json.append("],\"inbound\":");
        services(json, registry, "isthmus.gateway.requests", "isthmus.gateway.request.duration", "target");
        json.append(",\"outbound\":");
        services(json, registry, "isthmus.gateway.outbound.requests", "isthmus.gateway.outbound.request.duration", "route");
        json.append(",\"refusals\":{");
        Map<String, Double> refusals = new TreeMap<>();
        for (String name : new String[] {"isthmus.gateway.handshake.failures", "isthmus.gateway.sessions.rejected"}) {
            for (Counter counter : registry.find(name).counters()) {
                if (counter.count() > 0) {
                    refusals.merge(counter.getId().getTag("reason"), counter.count(), Double::sum);
                }
            }
        }
        first = true;
        for (Map.Entry<String, Double> refusal : refusals.entrySet()) {
            json.append(first ? "" : ",");
            JsonText.string(json, refusal.getKey());
            json.append(':').append(Math.round(refusal.getValue()));
            first = false;
        }
        return json.append("}}\n").toString();
    }

    /** Per service: requests by status class, and the total time they took. */
    private static void services(StringBuilder json, MeterRegistry registry, String requests, String durations, String tag) {
        Map<String, Map<String, Double>> byService = new TreeMap<>();
        for (Counter counter : registry.find(requests).counters()) {
            byService.computeIfAbsent(counter.getId().getTag(tag), s -> new TreeMap<>())
                    .merge(counter.getId().getTag("status_class"), counter.count(), Double::sum);
        }
        Map<String, Double> seconds = new TreeMap<>();
        for (Timer timer : registry.find(durations).timers()) {
            seconds.merge(timer.getId().getTag(tag), timer.totalTime(TimeUnit.SECONDS), Double::sum);
        }
        json.append('[');
        boolean first = true;
        for (Map.Entry<String, Map<String, Double>> service : byService.entrySet()) {
            json.append(first ? "" : ",").append("{\"service\":");
            JsonText.string(json, service.getKey());
            json.append(",\"requests\":{");
            boolean firstClass = true;
            for (Map.Entry<String, Double> statusClass : service.getValue().entrySet()) {
                json.append(firstClass ? "" : ",");
                JsonText.string(json, statusClass.getKey());
                json.append(':').append(Math.round(statusClass.getValue()));
                firstClass = false;
            }
            json.append("},\"latencySeconds\":").append(seconds.getOrDefault(service.getKey(), 0.0)).append('}');
            first = false;
        }
        json.append(']');
    }
}
