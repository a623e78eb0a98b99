package dev.isthmus.gateway.metrics;

import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tls.HandshakeFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * Every meter the gateway keeps, named once. Per-request meters are cached by their tags, and a session
 * keeps those of its requests ({@link Requests}), so the hot path does neither a registry search nor a map
 * lookup.
 */
public final class GatewayMetrics {

    /** Why a connection or request was refused after the handshake; the name is the {@code reason} tag. */
    public enum Rejection {
        UNAUTHORIZED, NO_HEADER, BAD_HEADER, OUTSIDE_DOMAIN, NOT_EXPORTED, LOOP, NO_ENDPOINTS, BACKEND_UNAVAILABLE,
        CONNECTION_LIMIT,
        /** An HTTP/1 request head that did not arrive whole within the request-header timeout. */
        REQUEST_HEADER_TIMEOUT,
        /** An HTTP/1 request refused for its head: malformed, an unsupported version, no or two {@code Host} headers. */
        MALFORMED_REQUEST;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final AtomicInteger open = new AtomicInteger();
    private final Tap tap;
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();
    private final Counter accepted;
    private final Map<HandshakeFailure, Counter> handshakeFailures = new EnumMap<>(HandshakeFailure.class);
    private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();

    private final Map<RequestKey, Counter> outboundRequests = new ConcurrentHashMap<>();
    private final Map<String, Timer> outboundLatencies = new ConcurrentHashMap<>();
    private final Map<RequestKey, Timer> backendLatencies = new ConcurrentHashMap<>();
    private final Map<RequestKey, Counter> outboundFailures = new ConcurrentHashMap<>();
    private final AtomicInteger outboundOpen = new AtomicInteger();
    private final Counter outboundAccepted;
    private final Map<Rejection, Counter> outboundRejections = new EnumMap<>(Rejection.class);

    private record RequestKey(String target, String statusClass, String peer) {}

    public GatewayMetrics(MeterRegistry registry) {
        this(registry, new Tap());
    }

    /** @param tap where finished requests go while someone watches ({@code GET /tap}) */
    public GatewayMetrics(MeterRegistry registry, Tap tap) {
        this.registry = registry;
        this.tap = tap;
        gauges.add(Gauge.builder("isthmus.gateway.tap.watchers", tap, Tap::watchers)
                .description("Readers of the tap now").register(registry));
        gauges.add(FunctionCounter.builder("isthmus.gateway.tap.dropped", tap, Tap::dropped)
                .description("Tap events dropped because a watcher's buffer was full (the watcher saw a sample)").register(registry));
        gauges.add(Gauge.builder("isthmus.gateway.connections.open", open, AtomicInteger::get)
                .description("Inbound connections open now").register(registry));
        accepted = Counter.builder("isthmus.gateway.connections").description("Inbound connections accepted").register(registry);
        for (HandshakeFailure failure : HandshakeFailure.values()) {
            handshakeFailures.put(failure, Counter.builder("isthmus.gateway.handshake.failures").tag("reason", failure.tag())
                    .description("TLS handshakes that failed, by reason").register(registry));
        }
        for (Rejection rejection : Rejection.values()) {
            rejections.put(rejection, Counter.builder("isthmus.gateway.sessions.rejected").tag("reason", rejection.tag())
                    .description("Connections (or, in HTTP sessions, requests) refused after the handshake, by reason").register(registry));
        }
        bytesIn = Counter.builder("isthmus.gateway.received").baseUnit("bytes").description("Bytes received from peers")
                .register(registry);
        gauges.add(Gauge.builder("isthmus.gateway.outbound.connections.open", outboundOpen, AtomicInteger::get)
                .description("Client connections open now on outbound listeners").register(registry));
        outboundAccepted = Counter.builder("isthmus.gateway.outbound.connections")
                .description("Client connections accepted on outbound listeners").register(registry);
        for (Rejection rejection : Rejection.values()) {
            outboundRejections.put(rejection, Counter.builder("isthmus.gateway.outbound.sessions.rejected").tag("reason", rejection.tag())
                    .description("Client connections (or, in HTTP sessions, requests) on outbound listeners refused by the gateway itself,"
                            + " by reason").register(registry));
        }
        bytesOut = Counter.builder("isthmus.gateway.sent").baseUnit("bytes").description("Bytes sent to peers")
                .register(registry);
        // Process-wide, as one gateway runs per process: anything counted here is a bug (issue 10, item 9).
        FunctionCounter.builder("isthmus.gateway.pipeline.tail", PipelineTail.class, tail -> PipelineTail.exceptions())
                .tag("kind", "exception").description("What reached the end of a pipeline with no handler dealing with it")
                .register(registry);
        FunctionCounter.builder("isthmus.gateway.pipeline.tail", PipelineTail.class, tail -> PipelineTail.messages())
                .tag("kind", "message").description("What reached the end of a pipeline with no handler dealing with it")
                .register(registry);
    }

    /** The tap, which the request path publishes to and the admin server's {@code /tap} reads. */
    public Tap tap() {
        return tap;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void connectionOpened() {
        open.incrementAndGet();
        accepted.increment();
    }

    public void connectionClosed() {
        open.decrementAndGet();
    }

    public int openConnections() {
        return open.get();
    }

    /** A client connection accepted on an outbound listener. */
    public void outboundConnectionOpened() {
        outboundOpen.incrementAndGet();
        outboundAccepted.increment();
    }

    public void outboundConnectionClosed() {
        outboundOpen.decrementAndGet();
    }

    /** A client of an outbound listener refused by the gateway itself (its limit, its timeouts, a malformed request). */
    public void outboundRejected(Rejection rejection) {
        outboundRejections.get(rejection).increment();
    }

    public void handshakeFailed(HandshakeFailure failure) {
        handshakeFailures.get(failure).increment();
    }

    public void rejected(Rejection rejection) {
        rejections.get(rejection).increment();
    }

    public void bytes(long received, long sent) {
        bytesIn.increment(received);
        bytesOut.increment(sent);
    }

    /** The metrics' {@code status_class}: constants, so the key of a request's counter is built without a new string. */
    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private static String statusClass(int status) {
        int hundreds = status / 100;
        return hundreds >= 0 && hundreds < STATUS_CLASSES.length ? STATUS_CLASSES[hundreds] : hundreds + "xx";
    }

    /** One finished request: counted by target, status class and peer; timed by target. */
    public void request(String target, int status, String peer, long nanos) {
        requestCounter(target, statusClass(status), peer).increment();
        requestLatency(target).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One finished request of an outbound client: counted by route, status class and backend (a link, or "local"); timed by route. */
    public void outboundRequest(String route, int status, String backend, long nanos) {
        outboundRequestCounter(route, statusClass(status), backend).increment();
        outboundLatency(route).record(nanos, TimeUnit.NANOSECONDS);
        backendLatency(route, backend).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The meters {@link #request} counts the requests of {@code target} from {@code peer} with, to be kept by a
     * session: it then finds them by an array index, not by a map lookup per request. Nothing is registered
     * until a request finishes, as with {@link #request}.
     */
    public Requests requests(String target, String peer) {
        return new Requests(this, target, peer, false);
    }

    /** The meters {@link #outboundRequest} counts the requests of {@code route} that went to {@code backend} with. */
    public Requests outboundRequests(String route, String backend) {
        return new Requests(this, route, backend, true);
    }

    /**
     * The request meters of one inbound target and peer, or of one outbound route and backend: looked up once,
     * the counter of each status class on its first request, then kept. Shared by the connections of a session,
     * which may run on different event loops, so what is kept is published through atomics; two threads that
     * look a meter up at once get the same one.
     */
    public static final class Requests {
        private final GatewayMetrics metrics;
        private final String target;
        private final String peer;
        private final boolean outbound;
        private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(STATUS_CLASSES.length);
        private volatile Timer latency;
        private volatile Timer backendLatency;

        private Requests(GatewayMetrics metrics, String target, String peer, boolean outbound) {
            this.metrics = metrics;
            this.target = target;
            this.peer = peer;
            this.outbound = outbound;
        }

        /** The peer (inbound) or backend (outbound) these meters count for. */
        public String peer() {
            return peer;
        }

        /** Counts and times one finished request, as {@link GatewayMetrics#request} or {@link GatewayMetrics#outboundRequest} does. */
        public void record(int status, long nanos) {
            int hundreds = status / 100;
            if (hundreds < 0 || hundreds >= STATUS_CLASSES.length) {
                counter(statusClass(status)).increment(); // not a status HTTP defines: rare enough for a lookup
            } else {
                Counter counter = counters.get(hundreds);
                if (counter == null) {
                    counter = counter(STATUS_CLASSES[hundreds]);
                    counters.set(hundreds, counter);
                }
                counter.increment();
            }
            Timer timer = latency;
            if (timer == null) {
                latency = timer = outbound ? metrics.outboundLatency(target) : metrics.requestLatency(target);
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
            if (outbound) {
                Timer byBackend = backendLatency;
                if (byBackend == null) {
                    backendLatency = byBackend = metrics.backendLatency(target, peer);
                }
                byBackend.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        private Counter counter(String statusClass) {
            return outbound ? metrics.outboundRequestCounter(target, statusClass, peer) : metrics.requestCounter(target, statusClass, peer);
        }
    }

    private Counter requestCounter(String target, String statusClass, String peer) {
        return requests.computeIfAbsent(new RequestKey(target, statusClass, peer), k -> Counter.builder("isthmus.gateway.requests")
                .tag("target", k.target()).tag("status_class", k.statusClass()).tag("peer", k.peer())
                .description("HTTP requests through the gateway").register(registry));
    }

    private Timer requestLatency(String target) {
        return latencies.computeIfAbsent(target, t -> latency(Timer.builder("isthmus.gateway.request.duration").tag("target", t)
                .description("Time from request to the end of the response")));
    }

    private Counter outboundRequestCounter(String route, String statusClass, String backend) {
        return outboundRequests.computeIfAbsent(new RequestKey(route, statusClass, backend), k -> Counter.builder("isthmus.gateway.outbound.requests")
                .tag("route", k.target()).tag("status_class", k.statusClass()).tag("backend", k.peer())
                .description("HTTP requests of clients on outbound listeners").register(registry));
    }

    private Timer outboundLatency(String route) {
        return outboundLatencies.computeIfAbsent(route, r -> latency(Timer.builder("isthmus.gateway.outbound.request.duration").tag("route", r)
                .description("Time from an outbound request to the end of its response")));
    }

    /** Per backend too: stat trafficsplit and stat links show each leaf's and each link's latency, as viz stat does. */
    private Timer backendLatency(String route, String backend) {
        return backendLatencies.computeIfAbsent(new RequestKey(route, "", backend), k -> latency(Timer.builder("isthmus.gateway.outbound.backend.duration")
                .tag("route", k.target()).tag("backend", k.peer())
                .description("Time from an outbound request to the end of its response, by where it went (a link, or local)")));
    }

    /** A request latency: one histogram layout (1 ms to 30 s) for every timer the dashboards compute p50/p95/p99 from. */
    private Timer latency(Timer.Builder timer) {
        return timer.publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    /**
     * A connection to a remote gateway that could not be made, or a request failed fast while it backs off.
     *
     * @param reason {@code refused}, {@code timeout}, {@code wrong_identity}, a {@link HandshakeFailure} tag, {@code backing_off} …
     */
    public void outboundFailure(String link, String reason) {
        outboundFailures.computeIfAbsent(new RequestKey(link, reason, ""), k -> Counter.builder("isthmus.gateway.outbound.failures")
                .tag("link", k.target()).tag("reason", k.statusClass())
                .description("Connections to remote gateways that failed, by link and reason").register(registry)).increment();
    }

    /**
     * A request sent once more on a new upstream connection, because the pooled one it had was closed.
     *
     * @param reason {@code stale_connection} (found closed before the request was written) or
     *     {@code closed_before_response} (closed after a bodiless idempotent request went out on it)
     */
    public void upstreamRetried(String reason) {
        Counter.builder("isthmus.gateway.upstream.retries").tag("reason", reason)
                .description("Requests sent again on a new connection after their pooled one closed, by reason")
                .register(registry).increment();
    }

    public <T> void gauge(String name, String description, T object, ToDoubleFunction<T> value) {
        gauges.add(Gauge.builder(name, object, value).description(description).register(registry));
    }

    /**
     * Removes the gauges, which point at this gateway's objects: a gateway started again in the same
     * registry (a restart in the demo, a test) must not keep reporting the stopped one. Counters stay, as
     * totals do across restarts (the tap's counter goes too: it reads this gateway's tap).
     */
    public void close() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    public DistributionSummary summary(String name) {
        return DistributionSummary.builder(name).register(registry);
    }
}
