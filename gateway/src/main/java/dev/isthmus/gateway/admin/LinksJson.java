package dev.isthmus.gateway.admin;

import dev.isthmus.gateway.probe.LinkStatus;
import dev.isthmus.gateway.tap.JsonText;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * The body of {@code GET /links}: every probed link's {@link LinkStatus}, in the form
 * {@code docs/kubernetes.md} gives, which the mirror controller and the CLI read. The example both
 * sides' tests share is {@code testkit/src/main/resources/dev/isthmus/testkit/golden/links.json}.
 * <pre>
 * {"links":[{"link":"east","identity":"spiffe://…","alive":true,"probed":true,"consecutiveFailures":0,
 *   "latencyMs":2.7,"lastError":null,"lastChange":"2026-11-25T13:00:00Z"}]}
 * </pre>
 */
final class LinksJson {

    private LinksJson() {}

    static String render(Collection<LinkStatus> statuses) {
        StringBuilder json = new StringBuilder("{\"links\":[");
        boolean first = true;
        for (LinkStatus status : statuses) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append("{\"link\":");
            JsonText.string(json, status.link());
            json.append(",\"identity\":");
            JsonText.string(json, status.gatewayIdentity() == null ? null : status.gatewayIdentity().toString());
            json.append(",\"alive\":").append(status.alive());
            json.append(",\"probed\":").append(status.probed());
            json.append(",\"consecutiveFailures\":").append(status.consecutiveFailures());
            json.append(",\"latencyMs\":").append(millis(status.lastLatency()));
            json.append(",\"lastError\":");
            JsonText.string(json, status.lastError());
            json.append(",\"lastChange\":");
            Instant change = status.lastChange();
            JsonText.string(json, change == null ? null : change.toString());
            json.append('}');
        }
        return json.append("]}\n").toString();
    }

    /** Milliseconds with up to three decimals, as {@code 2.7}; {@code null} before the first success. */
    private static String millis(Duration latency) {
        if (latency == null) {
            return "null";
        }
        double ms = Math.round(latency.toNanos() / 1_000.0) / 1_000.0;
        return Double.toString(ms);
    }
}
