package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.GatewayConfig;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.identity.SpiffeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every metric the dashboard queries is one a gateway really exports, under its Prometheus name. */
class GrafanaDashboardTest {

    private static final Pattern METRIC = Pattern.compile("\\b(isthmus_[a-z0-9_]+)");

    @Test
    void queriesOnlyMetricsTheGatewayExports() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Cli.deploy().resolve("grafana/isthmus-gateway.json").toFile());
        Set<String> queried = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = METRIC.matcher(target.get("expr").asText());
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
        }
        assertThat(queried).hasSizeGreaterThan(10);

        String scrape = scrapeOfAGateway();
        Set<String> exported = new HashSet<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        assertThat(exported).containsAll(queried);
    }

    /** A gateway's /metrics text once each lazily created meter has been used, and one link is probed. */
    private static String scrapeOfAGateway() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayConfig config = GatewayConfig.builder()
                .identity(SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway")).build();
        Gateway gateway = new Gateway(config, registry, Clock.systemUTC(), HttpSessionInstaller.factory());
        try {
            gateway.metrics().request("podinfo.test.svc.cluster.local:9898", 200, "spiffe://cluster.local/ns/a/sa/b", 1_000_000);
            gateway.metrics().outboundRequest("podinfo-east.test.svc.cluster.local:9898", 200, "east", 1_000_000);
            gateway.metrics().outboundFailure("east", "refused");
            // ProbeMetrics is the probe package's own; its meters appear per link.
            Constructor<?> probe = Class.forName("dev.isthmus.gateway.probe.ProbeMetrics")
                    .getDeclaredConstructor(MeterRegistry.class, String.class);
            probe.setAccessible(true);
            probe.newInstance(registry, "east");
            return registry.scrape();
        } finally {
            gateway.close();
        }
    }
}
