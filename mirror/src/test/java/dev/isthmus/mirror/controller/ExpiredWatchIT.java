package dev.isthmus.mirror.controller;

import static dev.isthmus.mirror.controller.TwoClusters.LINK;
import static dev.isthmus.mirror.controller.TwoClusters.NS;
import static dev.isthmus.mirror.controller.TwoClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.mirror.link.LinkStatus;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watch that expires relists. East runs without the watch cache and compacts etcd every second, so a watch
 * resumed from a resource version older than a second or two is answered {@code 410 Gone} ("Expired", "too old
 * resource version"), as a real cluster does after its 5-minute compaction when a controller was partitioned
 * away for longer than that. The mirror reaches east through a {@link TcpRelay}; the test cuts it, changes
 * east's exported Services, waits until east refuses a watch from before the cut, reconnects the relay and
 * expects the mirror to list again and converge.
 */
@Timeout(120) // startup; the test itself has 60 s
class ExpiredWatchIT {

    private static final Duration SOON = Duration.ofSeconds(20);
    private static final Duration CUT_AT_LEAST = Duration.ofSeconds(5);
    private static final String SHOP = "expiry";
    /** fabric8's informer and watch loggers: whether it saw the watch expire, and what it asked for. */
    private static final List<Logger> FABRIC8_LOGGERS = List.of(
            Logger.getLogger("io.fabric8.kubernetes.client.informers.impl.cache.Reflector"),
            Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager"));

    private static final List<String> fabric8Log = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            fabric8Log.add(record.getMillis() + " " + record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private static final List<Level> previousLevels = new ArrayList<>();

    private static TcpRelay relay;
    private static TwoClusters clusters;
    private static KubernetesClient east;
    private static ServiceMirror mirror;

    @BeforeAll
    static void start() throws Exception {
        for (Logger logger : FABRIC8_LOGGERS) {
            previousLevels.add(logger.getLevel());
            logger.setLevel(Level.FINE);
            logger.addHandler(CAPTURE);
        }
        clusters = TwoClusters.start(List.of("--watch-cache=false", "--etcd-compaction-interval=1s"), eastUrl -> {
            relay = TcpRelay.to(eastUrl);
            return relay.url();
        });
        east = clusters.east.client();
        MirrorOptions options = MirrorOptions.defaults("replica-a")
                .withRepairPeriod(Duration.ofSeconds(2))
                .withHealthPeriod(Duration.ofMillis(300))
                .withGatewayAdminUrl(clusters.adminOverride());
        mirror = new ServiceMirror(clusters.west.client(), new RequestCounter(), NS, LINK, options,
                new SimpleMeterRegistry()).start();
        await(SOON, "the mirror leads and mirrors", () -> mirror.controller() != null && mirror.controller().mirroring());
    }

    @AfterAll
    static void stop() {
        try {
            if (mirror != null) {
                mirror.close();
            }
            if (relay != null) {
                relay.close();
            }
            if (clusters != null) {
                clusters.close();
            }
        } finally {
            for (int i = 0; i < FABRIC8_LOGGERS.size(); i++) {
                FABRIC8_LOGGERS.get(i).removeHandler(CAPTURE);
                FABRIC8_LOGGERS.get(i).setLevel(previousLevels.isEmpty() ? null : previousLevels.get(i));
            }
        }
    }

    @Test
    @Timeout(60)
    void aWatchThatExpiresWhileTheTargetIsCutOffRelistsAndTheMirrorsConverge() throws Exception {
        TwoClusters.namespace(clusters.east, SHOP);
        TwoClusters.namespace(clusters.west, SHOP);
        clusters.export(SHOP, "changed", 80);
        clusters.export(SHOP, "deleted", 81);
        await(SOON, "changed-east and deleted-east are mirrored",
                () -> clusters.mirrorSlice(SHOP, "changed") != null && clusters.mirrorSlice(SHOP, "deleted") != null);
        await(SOON, "the controller is idle", () -> mirror.controller().idle());
        assertThat(relay.accepted()).as("the mirror reaches east through the relay").isPositive();

        // Partition: every connection the mirror has to east is reset, new ones are refused.
        long cutAt = System.nanoTime();
        int cutMark = fabric8Log.size();
        relay.cut();
        // No watch of the mirror's can be newer than this: it has heard nothing from east since.
        long cutVersion = Long.parseLong(east.services().inAnyNamespace().list().getMetadata().getResourceVersion());

        clusters.export(SHOP, "created", 82);
        east.services().inNamespace(SHOP).withName("changed").edit(s -> new ServiceBuilder(s).editSpec()
                .withPorts(new ServicePortBuilder().withName("p8080").withPort(8080).build()).endSpec().build());
        east.services().inNamespace(SHOP).withName("deleted").delete();
        east.discovery().v1().endpointSlices().inNamespace(SHOP).withName("deleted-xyz").delete();

        // The precondition, checked on the wire: east no longer serves a watch from before the cut.
        String[] answer = new String[1];
        await(SOON, "east answers a watch from v" + cutVersion + " with 410 Expired (etcd compacted past it)", () -> {
            answer[0] = rawWatch(cutVersion);
            return answer[0].contains("\"code\":410") && answer[0].contains("\"reason\":\"Expired\"");
        });
        System.out.println("ExpiredWatchIT: a watch of services from v" + cutVersion + " now gets: " + answer[0].strip());
        await(SOON, "the Link says east is unreachable", () -> ready().map(c -> "TargetUnreachable".equals(c.reason))
                .orElse(false));
        assertThat(clusters.mirror(SHOP, "created")).as("nothing reaches the mirror while cut off").isNull();
        assertThat(clusters.mirror(SHOP, "deleted")).isNotNull();
        long remaining = CUT_AT_LEAST.toNanos() - (System.nanoTime() - cutAt);
        if (remaining > 0) { // the cut must last its full time, whatever the checks above took
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(remaining));
        }

        RequestCounter remoteRequests = mirror.remoteRequests();
        long listsBefore = remoteRequests.reads("/api/v1/services");
        int logMark = fabric8Log.size();
        relay.restore();
        long restoredAt = System.nanoTime();

        try {
            await(Duration.ofSeconds(40), "the mirror converges: created-east appears, changed-east has port 8080,"
                    + " deleted-east is gone", () -> {
                        var changed = clusters.mirror(SHOP, "changed");
                        return clusters.mirrorSlice(SHOP, "created") != null
                                && changed != null
                                && changed.getSpec().getPorts().stream().map(ServicePort::getPort).toList().equals(List.of(8080))
                                && clusters.mirror(SHOP, "deleted") == null && clusters.mirrorSlice(SHOP, "deleted") == null;
                    });
            System.out.println("ExpiredWatchIT: converged " + Duration.ofNanos(System.nanoTime() - restoredAt).toMillis()
                    + " ms after the relay reconnected");
            await(SOON, "the Link is Ready again", () -> ready().map(c -> "True".equals(c.status)).orElse(false));

            List<String> log = List.copyOf(fabric8Log);
            List<String> sinceCut = log.subList(cutMark, log.size());
            List<String> sinceRestore = log.subList(logMark, log.size());
            System.out.println("ExpiredWatchIT: what fabric8 did since the cut (resumed watches of services, expiries, lists):");
            sinceCut.stream().filter(line -> resumedWatchVersion(line) != null || line.contains("http gone")
                    || line.contains("Listing items")).distinct().forEach(line -> System.out.println("  " + line));
            // The mirror tried to resume its Services watch through the relay from where it was at the cut…
            assertThat(sinceCut.stream().map(ExpiredWatchIT::resumedWatchVersion).filter(Objects::nonNull))
                    .as("resource versions the mirror's services watch resumed from, through the relay, since the cut")
                    .anyMatch(version -> version <= cutVersion);
            // …once it got through, east answered 410 and fabric8 restarted the informer on it (not on its own
            // "ended with no messages" guess)…
            assertThat(sinceRestore.stream().anyMatch(line -> line.contains("Watch restarting due to http gone for v1/services")))
                    .as("fabric8 saw the services watch expire after the relay reconnected").isTrue();
            assertThat(log.stream().noneMatch(line -> line.contains("treating as stale resourceVersion")))
                    .as("no expiry was guessed by fabric8").isTrue();
            // …and listed the Services again, at a version past the expiry.
            assertThat(sinceRestore.stream().anyMatch(line -> line.matches(".*Listing items \\(\\d+\\) for v1/services at v(\\d+)")
                    && Long.parseLong(line.replaceAll(".* at v", "")) > cutVersion))
                    .as("fabric8 listed the services again after the relay reconnected").isTrue();
            assertThat(remoteRequests.reads("/api/v1/services")).as("LISTs of services sent after reconnecting")
                    .isGreaterThan(listsBefore);
        } catch (AssertionError e) {
            System.out.println("ExpiredWatchIT: fabric8 log since the cut:");
            List<String> all = List.copyOf(fabric8Log);
            all.subList(cutMark, all.size()).forEach(line -> System.out.println("  " + line));
            throw e;
        }
    }

    private static final Pattern RESUMED_SERVICES_WATCH = Pattern.compile(
            "Watching https://127\\.0\\.0\\.1:(\\d+)/api/v1/services\\?\\S*resourceVersion=(\\d+)");

    /** The resource version a logged watch of services through the relay resumed from, else null. */
    private static Long resumedWatchVersion(String line) {
        Matcher matcher = RESUMED_SERVICES_WATCH.matcher(line);
        if (!matcher.find() || Integer.parseInt(matcher.group(1)) != relay.port()) {
            return null;
        }
        return Long.parseLong(matcher.group(2));
    }

    /** The body east answers a one-second watch of every Service from {@code version} with (admin, straight to east). */
    private static String rawWatch(long version) {
        HttpClient http = east.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(clusters.east.url() + "/api/v1/services?watch=true&resourceVersion=" + version + "&timeoutSeconds=1")
                .build();
        try {
            HttpResponse<String> response = http.sendAsync(request, String.class).get(10, TimeUnit.SECONDS);
            return "HTTP " + response.code() + " " + response.body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static java.util.Optional<LinkStatus.Condition> ready() {
        var link = clusters.currentLink();
        if (link == null || link.getStatus() == null || link.getStatus().conditions == null) {
            return java.util.Optional.empty();
        }
        return link.getStatus().conditions.stream().filter(c -> "Ready".equals(c.type)).findFirst();
    }
}
