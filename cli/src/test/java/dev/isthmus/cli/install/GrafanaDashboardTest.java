package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
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

    private static final Pattern MATCHERS = Pattern.compile("(isthmus_[a-z0-9_]+)\\{([^}]*)}");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|ignoring|on)\\s*\\(([^)]*)\\)");

    /** A panel that groups or filters by a label the metric does not have shows nothing, silently; so each label is checked too. */
    @Test
    void groupsAndFiltersOnlyByLabelsThoseMetricsHave() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Cli.deploy().resolve("grafana/isthmus-gateway.json").toFile());
        java.util.Map<String, Set<String>> labels = new java.util.HashMap<>();
        Pattern series = Pattern.compile("^([a-z0-9_]+)(?:\\{(.*)})? ");
        for (String line : scrapeOfAGateway().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList()) {
            Matcher m = series.matcher(line);
            if (m.find()) {
                Set<String> names = labels.computeIfAbsent(m.group(1), k -> new HashSet<>());
                if (m.group(2) != null) {
                    Matcher label = Pattern.compile("([a-z_]+)=\"").matcher(m.group(2));
                    while (label.find()) {
                        names.add(label.group(1));
                    }
                }
            }
        }
        int checked = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                Set<String> available = new HashSet<>(Set.of("namespace", "pod")); // added by Prometheus's scrape
                Set<String> used = new HashSet<>();
                Matcher m = MATCHERS.matcher(expr);
                while (m.find()) {
                    available.addAll(labels.getOrDefault(m.group(1), Set.of()));
                    Matcher label = LABEL.matcher(m.group(2));
                    while (label.find()) {
                        used.add(label.group(1));
                    }
                }
                Matcher grouping = GROUPING.matcher(expr);
                while (grouping.find()) {
                    for (String name : grouping.group(1).split(",")) {
                        used.add(name.strip());
                    }
                }
                assertThat(available).as("labels of the metrics in %s (panel %s)", expr, panel.get("title").asText()).containsAll(used);
                checked += used.size();
            }
        }
        assertThat(checked).isGreaterThan(40);
    }

    @Test
    void showsPerLinkAndSplitPanelsAsTheDashboardPageDoes() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Cli.deploy().resolve("grafana/isthmus-gateway.json").toFile());
        Set<String> titles = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText());
            assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
        }
        assertThat(titles).contains("Per link: request rate from this cluster's clients", "Per link: success rate",
                "Per link: latency p99", "Split shares by route and backend", "Split leaves: success rate",
                "Split leaves: latency p99", "Tap: watchers and dropped events");
    }

    /** A gateway's /metrics text once each lazily created meter has been used, and one link is probed. */
    private static String scrapeOfAGateway() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayConfig config = GatewayConfig.builder()
                .identity(SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway")).build();
        Gateway gateway = new Gateway(config, registry, Clock.systemUTC());
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
